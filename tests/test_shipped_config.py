"""The shipped config.yaml: every source loads, its options pass its kind's checks, and its kind
has a crawl test against the replica."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from crawler.kinds import KINDS
from monitor.config.loader import load_config
from tests.helpers import ROOT

SHIPPED = ROOT / "config.yaml"
# Where each kind is crawled end to end against the replica.
KIND_TESTS = {
    "nfcms": "test_crawl.py",
    "trs": "test_kinds_trs.py",
    "gkmlpt": "test_kinds_gkmlpt.py",
    "hanweb": "test_kinds_hanweb.py",
    "founder_epaper": "test_kinds_founder_epaper.py",
    "html_list": "test_kinds_html_list.py",
}
RAW = yaml.safe_load(SHIPPED.read_text(encoding="utf-8"))


def test_the_shipped_config_loads() -> None:
    config = load_config(SHIPPED)
    assert len(config.sources) == len(RAW["sources"]) >= 6
    assert any(s.enabled for s in config.sources)


@pytest.mark.parametrize("raw", RAW["sources"], ids=[s["id"] for s in RAW["sources"]])
def test_every_source_has_a_tested_kind_and_valid_options(raw: dict) -> None:
    spider = KINDS[raw["kind"]]
    test_file = Path(__file__).parent / KIND_TESTS[raw["kind"]]
    assert test_file.exists(), f"{raw['id']}: kind {raw['kind']} has no replica test"
    options = {k: raw[k] for k in spider.kind_option_keys() if k in raw}
    spider.check_options(options)


def test_every_kind_has_a_replica_test() -> None:
    assert set(KINDS) == set(KIND_TESTS)


@pytest.mark.parametrize("raw", RAW["sources"], ids=[s["id"] for s in RAW["sources"]])
def test_every_source_says_what_it_is_based_on(raw: dict) -> None:
    """Honesty: each entry is preceded by a comment saying what its URL/selectors rest on."""
    text = SHIPPED.read_text(encoding="utf-8")
    before = text[: text.index(f"- id: {raw['id']}\n")].rstrip().splitlines()
    comments = []
    for line in reversed(before):
        if not line.strip().startswith("#"):
            break
        comments.append(line)
    assert comments, f"{raw['id']}: no comment above the entry"
    assert any(word in " ".join(comments) for word in ("Based on", "based on", "DISABLED", "cite"))
