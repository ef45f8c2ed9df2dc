"""Profile one finder list request (the page `/` with a location), as issue 17 measured it:
time per request, and how often it builds URLs, stats files and looks up translations.

    .venv/bin/python bench/loadtest_profile_finder.py [--stations 10000] [--requests 200]
"""
import argparse
import cProfile
import os
import pstats
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--stations", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()

    from flask_migrate import upgrade

    from app import create_app

    directory = tempfile.mkdtemp(prefix="yizhan-profile-")
    app = create_app("development", SQLALCHEMY_DATABASE_URI=f"sqlite:///{directory}/p.sqlite3",
                     RATELIMIT_ENABLED=False)
    app.debug = False
    with app.app_context():
        upgrade(directory=str(Path(__file__).resolve().parents[1] / "migrations"))
        csv_path = Path(directory) / "stations.csv"
        runner = app.test_cli_runner()
        runner.invoke(args=["stations", "generate", "--count", str(args.stations), "--seed", "1",
                            "-o", str(csv_path)])
        result = runner.invoke(args=["stations", "import", str(csv_path)])
        assert result.exit_code == 0, result.output
    client = app.test_client()
    url = "/?lat=39.1335&lon=117.2081"
    assert client.get(url).status_code == 200  # warm: first render compiles templates
    profile = cProfile.Profile()
    started = time.perf_counter()
    profile.enable()
    for _ in range(args.requests):
        client.get(url)
    profile.disable()
    elapsed = time.perf_counter() - started
    stats = pstats.Stats(profile)
    per_request = {}
    for (filename, _line, name), (_prim, calls, _tottime, cumtime, _callers) in stats.stats.items():
        if name in ("url_for", "<built-in method posix.stat>", "gettext", "file_fingerprint",
                    "render_template", "add_fingerprint"):
            key = name if name != "<built-in method posix.stat>" else "os.stat"
            count, seconds = per_request.get(key, (0, 0.0))
            per_request[key] = (count + calls / args.requests, seconds + cumtime / args.requests)
    print(f"{args.stations} stations, {args.requests} requests of {url}")
    print(f"  {elapsed / args.requests * 1000:.1f} ms a request (profiled)")
    for name, (calls, seconds) in sorted(per_request.items()):
        print(f"  {name}: {calls:.0f} calls, {seconds * 1000:.2f} ms a request")
    stats.sort_stats("cumulative").print_stats(12)


if __name__ == "__main__":
    main()
