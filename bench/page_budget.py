"""Page budget of the finder (run by `make bench`; prints figures, asserts nothing).

It serves the app with the demo stations on 127.0.0.1, opens the home page with results
(the rider at 天津站) in headless Chromium as a 390×844 phone with an empty cache, and adds
up the bytes on the wire (compressed, headers included, map tiles excluded): first for the
list as it paints, then after scrolling down so the map loads too. Then, when Lighthouse is
installed (`npm install` puts it in node_modules), it runs Lighthouse's mobile preset
against the same URL and prints its scores. Targets: ≤120 KiB, performance ≥95,
accessibility 100, best practices 100. docs/performance.md records the figures.
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from flask import Response  # noqa: E402

from tests.e2e.conftest import BLANK_TILE, CHROMIUM, CHROMIUM_ARGS, create_live_app, serve  # noqa: E402

PAGE = "/?lat=39.1335&lon=117.2081"
BUDGET_KIB = 120
LIGHTHOUSE_CATEGORIES = ("performance", "accessibility", "best-practices", "seo")


def start_app(workdir: Path):
    # Tiles come from the app itself here (blank images), so nothing leaves the machine.
    app = create_live_app(workdir / "budget.sqlite3",
                          MAP_TILES_URL="http://127.0.0.1/bench-tiles/{z}/{x}/{y}.png")
    app.add_url_rule("/bench-tiles/<int:z>/<int:x>/<int:y>.png", "bench_tile",
                     lambda z, x, y: Response(BLANK_TILE, mimetype="image/png"))
    url, stop = serve(app)
    # The tile URL needs the real port, which is known only once the server listens.
    app.config["MAP_TILES_URL"] = url + "/bench-tiles/{z}/{x}/{y}.png"
    return url, stop


def measure_transfer(url: str) -> dict:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True,
                                      has_touch=True, device_scale_factor=2, locale="zh-CN")
        page = context.new_page()
        cdp = context.new_cdp_session(page)
        cdp.send("Network.enable")
        cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
        urls, sizes = {}, {}
        cdp.on("Network.requestWillBeSent", lambda e: urls.__setitem__(e["requestId"], e["request"]["url"]))
        cdp.on("Network.loadingFinished", lambda e: sizes.__setitem__(e["requestId"], e["encodedDataLength"]))

        def total():
            files = [(urls[key], size) for key, size in sizes.items()
                     if "/bench-tiles/" not in urls.get(key, "")]
            return sum(size for _, size in files), sorted(files, key=lambda item: -item[1])

        page.goto(url + PAGE, wait_until="networkidle")
        list_bytes, list_files = total()
        page.locator(".map-section").scroll_into_view_if_needed()
        page.locator(".leaflet-container").wait_for()
        page.wait_for_load_state("networkidle")
        map_bytes, map_files = total()
        browser.close()
    return {"list": (list_bytes, list_files), "with_map": (map_bytes, map_files)}


def lighthouse_command() -> list[str] | None:
    local = ROOT / "node_modules" / ".bin" / "lighthouse"
    if local.exists():
        return [str(local)]
    if shutil.which("npx"):
        probe = subprocess.run(["npx", "--no-install", "lighthouse", "--version"],
                               capture_output=True, text=True, cwd=ROOT)
        if probe.returncode == 0:
            return ["npx", "--no-install", "lighthouse"]
    return None


def run_lighthouse(command: list[str], url: str, workdir: Path) -> dict | None:
    report = workdir / "lighthouse.json"
    flags = " ".join(["--headless=new", *CHROMIUM_ARGS])
    result = subprocess.run(
        [*command, url + PAGE, "--quiet", "--output=json", f"--output-path={report}",
         f"--only-categories={','.join(LIGHTHOUSE_CATEGORIES)}", f"--chrome-flags={flags}"],
        env={**os.environ, "CHROME_PATH": CHROMIUM}, capture_output=True, text=True, timeout=300)
    if result.returncode != 0 or not report.exists():
        print("Lighthouse failed:", result.stderr[-2000:])
        return None
    data = json.loads(report.read_text())
    failing = [f"{audit['id']}: {audit['title']}" for audit in data["audits"].values()
               if audit.get("score") is not None and audit["score"] < 1
               and audit.get("scoreDisplayMode") in ("binary", "numeric", "metricSavings")]
    return {
        "version": data.get("lighthouseVersion"),
        "scores": {key: round(data["categories"][key]["score"] * 100) for key in LIGHTHOUSE_CATEGORIES},
        "metrics": {key: data["audits"][key]["displayValue"] for key in
                    ("first-contentful-paint", "largest-contentful-paint", "total-blocking-time",
                     "cumulative-layout-shift", "speed-index")},
        "failing": failing,
    }


def main() -> None:
    if not os.path.exists(CHROMIUM):
        sys.exit(f"{CHROMIUM} is needed (apt-get install chromium)")
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        url, stop = start_app(workdir)
        try:
            transfer = measure_transfer(url)
            for label, (size, files) in transfer.items():
                verdict = "within" if size <= BUDGET_KIB * 1024 else "OVER"
                print(f"page budget ({label}): {size / 1024:.1f} KiB in {len(files)} requests, "
                      f"{verdict} the {BUDGET_KIB} KiB budget")
                for file_url, file_size in files:
                    print(f"  {file_size / 1024:7.1f} KiB  {urlsplit(file_url).path}")
            command = lighthouse_command()
            if command is None:
                print("Lighthouse not installed (run `npm install`); skipping the scores.")
                return
            scores = run_lighthouse(command, url, workdir)
            if scores:
                print(f"Lighthouse {scores['version']} (mobile, simulated slow 4G):",
                      ", ".join(f"{key} {value}" for key, value in scores["scores"].items()))
                print("  " + ", ".join(f"{key} {value}" for key, value in scores["metrics"].items()))
                for line in scores["failing"]:
                    print("  not full marks:", line)
        finally:
            stop()


if __name__ == "__main__":
    main()
