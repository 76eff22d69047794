"""Take the screenshots of the HTML report that the user guide shows.

Renders the report of the given exchange files (by default the worked example of 2023 and
2024) with ``digimaat.analysis.report.render_report``, opens it in headless Chromium
(Debian's ``chromium`` package, driven by Playwright, as the browser tests do) and saves
two pictures of Vlaardingen's part of it: the score card, and the trend with what changed.

    python scripts/screenshot_report.py [FILE...] --output-dir docs/guide

The pictures are PNG files named ``report-card.png`` and ``report-trend.png``.
"""

from __future__ import annotations

import argparse
import tempfile
from importlib import resources
from pathlib import Path

from playwright.sync_api import sync_playwright

from digimaat.analysis.report import render_report
from digimaat.analysis.trends import read_years
from digimaat.measurement.profiles import standard_profile

FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PARTS = {"report-card.png": "card", "report-trend.png": "trend"}


def main() -> None:
    data = resources.files("digimaat.data")
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "files",
        nargs="*",
        default=[str(data.joinpath("example-2023.json")), str(data.joinpath("example.json"))],
    )
    parser.add_argument("--municipality", default="GM0622")
    parser.add_argument("--lang", default="en", choices=("en", "nl"))
    parser.add_argument("--output-dir", type=Path, default=Path("docs/guide"))
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    args = parser.parse_args()
    page_text = render_report(
        read_years(args.files),
        standard_profile(),
        municipalities=[args.municipality],
        lang=args.lang,
    )
    with tempfile.TemporaryDirectory() as folder, sync_playwright() as playwright:
        page_file = Path(folder) / "report.html"
        page_file.write_text(page_text, encoding="utf-8")
        context = playwright.chromium.launch_persistent_context(
            str(Path(folder) / "profile"),
            executable_path=args.chromium,
            headless=True,
            args=FLAGS,
            viewport={"width": 1200, "height": 900},
        )
        page = context.new_page()
        page.route(
            "**/*",
            lambda route: (
                route.continue_() if route.request.url.startswith("file:") else route.abort()
            ),
        )
        page.goto(page_file.as_uri())
        for name, part in PARTS.items():
            target = args.output_dir / name
            page.locator(f"#{args.municipality}-{part}").screenshot(path=str(target))
            print(f"wrote {target}")
        context.close()


if __name__ == "__main__":
    main()
