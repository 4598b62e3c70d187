"""Screenshots of the web reader for docs/reader.md: runs the offline demo into a scratch database,
serves it with `noticewatch serve`'s server on loopback, and has Debian's chromium (`make system-deps`)
capture the front page and the page of the notice whose window the demo's portal extended.

    .venv/bin/python docs/reader_screenshots.py    # writes docs/reader-front.png, docs/reader-notice.png
"""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from monitor.window import china_today  # noqa: E402
from tests.reader_scenario import reader_server  # noqa: E402
from tests.test_reader_browser import CHROMIUM, FLAGS  # noqa: E402


def main() -> None:
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as scratch:
        db = Path(scratch) / "noticewatch-demo.db"
        subprocess.run([sys.executable, "-m", "monitor", "demo", "--db", str(db)], cwd=ROOT, check=True,
                       capture_output=True)
        changed = sqlite3.connect(db).execute("select notice_id from events where kind = 'changed'").fetchone()[0]
        with reader_server(db, china_today()) as url, sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
            page = browser.new_page(viewport={"width": 1200, "height": 900})
            for path, name in (("/", "reader-front.png"), (f"/notices/{changed}", "reader-notice.png")):
                page.goto(url + path)
                # The front page whole; the notice page's top: title, window, contacts, the diff.
                page.screenshot(path=str(ROOT / "docs" / name), full_page=path == "/")
                print(f"docs/{name}")
            browser.close()


if __name__ == "__main__":
    main()
