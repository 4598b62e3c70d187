"""Golden parser cases: tests/golden/parser/*.yaml name an input file and the fields it must yield."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from crawler.parser import content_hash, extract_article, parse_bytes, parse_html, parse_text

GOLDEN = Path(__file__).parent / "golden" / "parser"
CASES = sorted(GOLDEN.glob("*.yaml"))


def load(case_path: Path) -> dict:
    return yaml.safe_load(case_path.read_text(encoding="utf-8"))


def run(case: dict):
    path = GOLDEN / case["input"]
    url, source_id = case.get("url"), case.get("source_id")
    if case["via"] == "parse_text":
        return parse_text(path.read_text(encoding="utf-8"), url=url, source_id=source_id)
    if case["via"] == "parse_html":
        return parse_html(path.read_text(encoding="utf-8"), url, source_id=source_id)
    if case["via"] == "parse_bytes":
        return parse_bytes(path.read_bytes(), url, source_id=source_id)
    raise AssertionError(
        f"{case['input']}: unknown via {case['via']!r} (parse_text, parse_html, parse_bytes)"
    )


def test_golden_cases_exist():
    assert len(CASES) >= 11


@pytest.mark.parametrize("case_path", CASES, ids=[p.stem for p in CASES])
def test_golden_fields(case_path: Path):
    case = load(case_path)
    notice = run(case)
    got = notice.to_dict()
    mismatches = {key: (got[key], want) for key, want in case["expected"].items() if got[key] != want}
    assert not mismatches, f"{case_path.name}: (got, want) {mismatches}"


@pytest.mark.parametrize("case_path", CASES, ids=[p.stem for p in CASES])
def test_golden_body(case_path: Path):
    case = load(case_path)
    body = run(case).body_text
    assert body.startswith(case["body_starts"]), body[:80]
    assert body.endswith(case["body_ends"]), body[-80:]
    for needle in case.get("body_contains", []):
        assert needle in body
    for needle in case.get("body_excludes", []):
        assert needle not in body, f"{needle!r} leaked into body_text"
    assert "\n\n" not in body


@pytest.mark.parametrize("case_path", CASES, ids=[p.stem for p in CASES])
def test_golden_hash(case_path: Path):
    notice = run(load(case_path))
    assert re.fullmatch(r"[0-9a-f]{64}", notice.content_hash)
    assert notice.content_hash == content_hash(notice.body_text)


@pytest.mark.parametrize("case_path", [p for p in CASES if "article" in load(p)], ids=lambda p: p.stem)
def test_golden_article(case_path: Path):
    case = load(case_path)
    article = extract_article((GOLDEN / case["input"]).read_text(encoding="utf-8"), case.get("url"))
    for key, want in case["article"].items():
        assert getattr(article, key) == want, key


def test_html_page_hashes_like_the_same_text():
    """The 南粤清风网 page and the abbreviated seed text share paragraphs: equal text ⇒ equal hash."""
    html_notice = run(load(GOLDEN / "gdjct_nfcms.yaml"))
    rewrapped = "\n\n".join("\u3000\u3000" + line for line in html_notice.body_text.splitlines())
    assert parse_text(rewrapped).content_hash == html_notice.content_hash


def test_traditional_reprint_hashes_like_simplified_original():
    hant = run(load(GOLDEN / "macaodaily_hant.yaml"))
    from crawler.parser.text import to_simplified

    assert content_hash(to_simplified(hant.body_text)) == hant.content_hash


def test_traditional_reprint_has_same_fields_as_seed_000():
    hant = run(load(GOLDEN / "macaodaily_hant.yaml")).to_dict()
    seed = run(load(GOLDEN / "seed_000.yaml")).to_dict()
    # The reprint is abbreviated (one section), so its outline and item count differ from the seed's.
    ignore = {"title", "url", "published_at", "script", "body_text", "content_hash", "outline", "item_count"}
    assert {k: v for k, v in hant.items() if k not in ignore} == {
        k: v for k, v in seed.items() if k not in ignore
    }
