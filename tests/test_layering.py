"""The shape the code keeps: one place commits, and packages import each other without cycles."""
import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("accounts", "checkins", "jobs", "notifications", "regions", "rest_stations",
            "services", "station_admin", "wishes", "scheduler", "backups")
SKIP_DIRS = {".venv", "tests", "migrations", "bench", "node_modules", ".git"}


def _application_files():
    for path in ROOT.rglob("*.py"):
        parts = set(path.relative_to(ROOT).parts)
        if not parts & SKIP_DIRS:
            yield path


def test_only_the_unit_of_work_commits():
    committing = []
    for path in _application_files():
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and node.func.attr == "commit" and "session" in ast.unparse(node.func.value)):
                committing.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert [place for place in committing if not place.startswith("transactions.py")] == []


def _imports_between_packages() -> dict[str, set[str]]:
    graph = {package: set() for package in PACKAGES}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(), str(path))):
                names = []
                if isinstance(node, ast.Import):
                    names = [alias.name for alias in node.names]
                elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                    names = [node.module]
                for name in names:
                    top = name.split(".")[0]
                    if top in graph and top != package:
                        graph[package].add(top)
    return graph


def test_packages_import_each_other_without_cycles():
    graph = _imports_between_packages()
    cycles = []

    def visit(package, path):
        for imported in graph[package]:
            if imported in path:
                cycles.append(" → ".join(path[path.index(imported):] + [imported]))
            elif len(path) < len(PACKAGES):
                visit(imported, path + [imported])

    for package in PACKAGES:
        visit(package, [package])
    assert cycles == []


def test_the_floor_imports_no_room():
    graph = _imports_between_packages()
    rooms = {"checkins", "jobs", "rest_stations", "services", "station_admin", "wishes"}
    assert graph["accounts"] & rooms == set()
    assert graph["regions"] & rooms == set()
