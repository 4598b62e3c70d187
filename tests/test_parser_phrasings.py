"""Table-driven phrasing cases (tests/golden/parser/phrasings/cases.yaml): one case per variant."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from crawler.parser import build_notice

CASES = yaml.safe_load(
    (Path(__file__).parent / "golden" / "parser" / "phrasings" / "cases.yaml").read_text(encoding="utf-8")
)


def test_case_ids_are_unique():
    ids = [case["id"] for case in CASES]
    assert len(ids) == len(set(ids))
    assert len(ids) >= 40


@pytest.mark.parametrize("case", CASES, ids=[case["id"] for case in CASES])
def test_phrasing(case):
    notice = build_notice(case.get("title"), case.get("published"), case["text"].strip(), None, None)
    got = notice.to_dict()
    mismatches = {key: (got[key], want) for key, want in case["expected"].items() if got[key] != want}
    assert not mismatches, f"{case['id']}: (got, want) {mismatches}; warnings {notice.warnings}"
    for needle in case.get("warnings_contain", []):
        assert any(needle in w for w in notice.warnings), f"{needle!r} not in {notice.warnings}"


def test_outline_levels_read_back():
    from crawler.parser.outline import outline_level

    assert [outline_level(h) for h in ("一、总体", "(二)方面", "3.问题", "一是措施", "正文")] == [
        1,
        2,
        3,
        4,
        None,
    ]
