"""Largest contentful paint of the dashboard's first load, in Debian's Chromium.

    python bench/lcp.py --base http://127.0.0.1:8000 --runs 5

Each run opens a new browser context (nothing cached), loads ``/``, waits until the
network is idle (every API call of the view answered), and reads the page's own
``largest-contentful-paint`` entries (the last one is the LCP) and navigation timing.
Start the server first, e.g. with ``hallofshame serve`` against a bench dataset.
"""

from __future__ import annotations

import argparse
import statistics

from playwright.sync_api import sync_playwright

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]

#: Collects LCP entries from the very start of the page's life.
OBSERVE = """
window.__lcp = [];
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) window.__lcp.push(e.startTime);
}).observe({type: "largest-contentful-paint", buffered: true});
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--base", default="http://127.0.0.1:8000")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--path", default="/")
    args = parser.parse_args()
    samples: list[float] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        for i in range(args.runs):
            context = browser.new_context(viewport={"width": 1366, "height": 900})
            page = context.new_page()
            page.add_init_script(OBSERVE)
            page.goto(args.base + args.path, wait_until="load")
            # Every API call of the view answered (the tables filled, or said empty).
            page.wait_for_load_state("networkidle", timeout=60_000)
            page.wait_for_timeout(500)  # let the last paint be reported
            rows = page.locator("#park-table tbody tr").count()
            lcp = page.evaluate("window.__lcp.length ? window.__lcp[window.__lcp.length-1] : null")
            nav = page.evaluate(
                "(() => { const n = performance.getEntriesByType('navigation')[0];"
                " return [n.responseEnd, n.domContentLoadedEventEnd, n.loadEventEnd]; })()"
            )
            print(
                f"run {i + 1}: LCP {lcp:.0f} ms; HTML done {nav[0]:.0f} ms, "
                f"DOMContentLoaded {nav[1]:.0f} ms, load {nav[2]:.0f} ms; "
                f"{rows} park rows"
            )
            samples.append(float(lcp))
            context.close()
        browser.close()
    print(f"LCP median {statistics.median(samples):.0f} ms, max {max(samples):.0f} ms")


if __name__ == "__main__":
    main()
