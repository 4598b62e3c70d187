"""The reader in a real browser: Debian's headless chromium driven by Playwright (no browser download;
`make browser` installs chromium). Front page → a notice → its diff → a search; a hostile title stays text.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from datetime import date

import pytest

from tests.reader_scenario import HOSTILE_TITLE, build_reader_store, reader_server

CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run"]
TODAY = date(2026, 3, 10)

if not shutil.which(CHROMIUM) and not os.environ.get("CI"):
    pytest.skip(f"{CHROMIUM} missing: run `make browser` (CI installs it and never skips)", allow_module_level=True)


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    path = tmp_path_factory.mktemp("reader-browser") / "store.db"
    build_reader_store(path, TODAY)
    with reader_server(path, TODAY) as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, base_url):
    context = browser.new_context(base_url=base_url)
    page = context.new_page()
    page.set_default_timeout(10_000)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    yield page
    context.close()
    assert not errors, errors


def test_front_page_to_notice_to_diff(page) -> None:
    page.goto("/")
    rows = page.locator("#open-now tbody tr")
    assert rows.count() == 4
    assert rows.nth(0).locator("[data-window]").inner_text().startswith("open, closes in 2 days")
    assert page.locator("#withdrawn").inner_text().count("withdrawn") == 1
    page.get_by_role("link", name="中共珠海市金湾区委关于巡察整改进展情况的通报").first.click()
    page.wait_for_url("**/notices/1")
    assert page.locator("h1#title").inner_text() == "中共珠海市金湾区委关于巡察整改进展情况的通报"
    assert "0756-8845678" in page.locator("#contacts").inner_text()
    newest = page.locator("#version-2 .nw-diff")
    assert "0756-8845678" in newest.locator("ins").all_inner_texts()[-1]
    assert newest.locator("del").count() >= 1
    ins_color = newest.locator("ins").first.evaluate("e => getComputedStyle(e).backgroundColor")
    assert ins_color != "rgba(0, 0, 0, 0)"  # highlighted, not plain text
    assert page.locator("#original").get_attribute("href").startswith("https://www.gdjct.gd.gov.cn/")


def test_search_from_the_form(page) -> None:
    page.goto("/search")
    page.fill("input[name=q]", "橫琴")  # traditional; the stored simplified notice must match too
    page.click("button[type=submit]")
    page.wait_for_url("**/search?q=*")
    results = page.locator("#results > li")
    assert results.count() == 2
    assert {results.nth(i).get_attribute("data-notice") for i in range(2)} == {"5", "6"}


def test_hostile_title_renders_as_text_and_runs_nothing(page) -> None:
    for path in ("/", "/search?q=横琴", "/notices/5"):
        page.goto(path)
        assert page.evaluate("window.__pwned") is None, path
        assert page.locator("img[src=x], iframe, b[onmouseover]").count() == 0, path
    assert page.locator("h1#title").inner_text() == HOSTILE_TITLE
    assert page.title() == HOSTILE_TITLE
    assert page.locator("#original").count() == 0  # a javascript: address is never a link
    assert "x@y.cn<script>" in page.locator("#contacts").inner_text()
