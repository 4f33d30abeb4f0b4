"""Widget weight and start-up time in headless Chromium against a real demo server.

Measures, on localhost:
- gzipped bytes of everything the widget loads before it is opened (loader, session call)
  and after it is opened (the panel module, the WebSocket is not counted);
- time from the page's load event to the launcher being visible.

Run: .venv/bin/python bench/bench_widget.py [--runs 20]
"""

from __future__ import annotations

import argparse
import gzip
import statistics
import sys
import tempfile
from pathlib import Path

from playwright.sync_api import Page, Request, sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, DemoServer

WIDGET_PATHS = ("/widget.js", "/widget/", "/api/v1/widget/")


def transferred(requests: list[Request]) -> dict[str, int]:
    """Bytes on the wire per widget request: gzipped where the server gzips, else raw."""
    sizes: dict[str, int] = {}
    for request in requests:
        response = request.response()
        if response is None or not any(p in request.url for p in WIDGET_PATHS):
            continue
        body = response.body()
        gzipped = response.headers.get("content-encoding") == "gzip"
        path = request.url.split("//", 1)[1].split("/", 1)[1].split("?")[0]
        sizes[f"{request.method} /{path}"] = len(body if not gzipped else gzip.compress(body, 9))
    return sizes


def measure(page: Page, url: str) -> tuple[dict[str, int], dict[str, int], float]:
    requests: list[Request] = []
    page.on("requestfinished", lambda request: requests.append(request))
    page.add_init_script(
        """
        window.__loadAt = 0;
        addEventListener('load', () => { window.__loadAt = performance.now(); });
        new MutationObserver(() => {
          const host = document.querySelector('shopchat-widget');
          const l = host && host.shadowRoot && host.shadowRoot.querySelector('.l');
          if (l && !window.__visibleAt) {
            requestAnimationFrame(() => { window.__visibleAt = performance.now(); });
          }
        }).observe(document, {subtree: true, childList: true});
        """
    )
    page.goto(url, wait_until="load")
    page.wait_for_function("() => window.__visibleAt && window.__loadAt")
    page.wait_for_load_state("networkidle")
    visible_ms = page.evaluate("window.__visibleAt - window.__loadAt")
    before = transferred(requests)
    requests.clear()
    page.locator("shopchat-widget .l").click()
    page.locator("shopchat-widget .s textarea").wait_for()
    page.wait_for_load_state("networkidle")
    after = transferred(requests)
    return before, after, visible_ms


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    server = DemoServer(Path(tempfile.mkdtemp(prefix="bench-widget-")))
    server.start()
    timings: list[float] = []
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            for run in range(args.runs):
                context = browser.new_context()
                before, after, visible_ms = measure(context.new_page(), f"{server.base}/demo")
                context.close()
                timings.append(visible_ms)
                if run == 0:
                    first = (before, after)
            browser.close()
    finally:
        server.stop()
    before, after = first
    print("before opening (gzipped bytes on the wire):")
    for name, size in before.items():
        print(f"  {name:40} {size:7}")
    print(f"  {'total':40} {sum(before.values()):7}")
    print("after opening, in addition:")
    for name, size in after.items():
        print(f"  {name:40} {size:7}")
    print(f"  {'total':40} {sum(after.values()):7}")
    timings.sort()
    print(
        f"load event -> launcher visible over {len(timings)} cold page loads: "
        f"median {statistics.median(timings):.1f} ms, "
        f"p90 {timings[int(len(timings) * 0.9) - 1]:.1f} ms, max {timings[-1]:.1f} ms"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
