"""The parser on the issue-15 corpus of real pages (tests/golden/corpus/*/*.yaml, see tests/corpus.py).

Three checks, as the issue states its goal: no near-miss is taken for a rectification notice, no
rectification notice is taken for anything else, and the share of gold fields right is at least
tests.corpus.GOAL. On failure the misses are listed (case, field, got, want); `bench/accuracy.py`
prints the same figures as a table.
"""

from __future__ import annotations

import pytest

from tests.corpus import GOAL, load_cases, parse_case, score

CASES = load_cases()


def test_corpus_is_there():
    # The issue asks for >= 80 documents; the collectors are still adding them (>= 55 + >= 32).
    assert len(CASES) >= 2, "no corpus cases in tests/golden/corpus/*/*.yaml"


@pytest.mark.parametrize(
    "case", [c for c in CASES if c.doc_type != "rectification_notice"], ids=lambda c: c.name
)
def test_near_miss_is_not_a_notice(case):
    assert parse_case(case).doc_type != "rectification_notice"


@pytest.mark.parametrize(
    "case", [c for c in CASES if c.doc_type == "rectification_notice"], ids=lambda c: c.name
)
def test_notice_is_a_notice(case):
    got = parse_case(case).doc_type
    assert got == "rectification_notice", f"{case.name}: classified {got!r}"


def test_field_accuracy_meets_the_goal():
    result = score(CASES)
    misses = "\n".join(f"  {m.case}: {m.field}: got {m.got!r}, want {m.want!r}" for m in result.misses)
    print(f"{result.right} / {result.total} fields right ({result.accuracy:.1%})\n{misses}")
    assert result.accuracy >= GOAL, (
        f"{result.right}/{result.total} = {result.accuracy:.1%} of gold fields right, goal {GOAL:.0%}; "
        f"misses:\n{misses}"
    )
