"""accounts is the lower floor: no module in it imports a domain package."""
import ast
from pathlib import Path

DOMAINS = {"rest_stations", "services", "wishes", "checkins", "station_admin", "jobs"}
ACCOUNTS = Path(__file__).resolve().parents[2] / "accounts"
# The "Our stations" staff page is moving to station_admin (the stations work); until that
# lands, this one import is known. Delete the entry when it is gone: the test then guards it.
PENDING_MOVE = {("staff_views.py", "rest_stations")}


def _imported_packages(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found


def test_no_module_in_accounts_imports_a_domain_package():
    offenders = {(str(path.relative_to(ACCOUNTS)), package)
                 for path in ACCOUNTS.rglob("*.py")
                 for package in _imported_packages(path) & DOMAINS}
    assert offenders - PENDING_MOVE == set()


def test_the_check_sees_imports_inside_functions(tmp_path):
    module = tmp_path / "m.py"
    module.write_text("def f():\n    from rest_stations.models import Station\n")
    assert "rest_stations" in _imported_packages(module)
