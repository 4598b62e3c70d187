"""Golden digests, one per format, for a scenario with every section (tests/digest_scenario.py).

Regenerate after an intended change with `NOTICEWATCH_REGEN_GOLDEN=1 .venv/bin/pytest tests/test_digest_golden.py`
and review the diff of tests/golden/digest/ before committing it.
"""

from __future__ import annotations

import json
import os
from html.parser import HTMLParser
from pathlib import Path

import feedparser
import jsonschema
import pytest

from monitor.config.digest import DigestConfig
from monitor.digest.build import SECTION_ORDER
from monitor.digest.render import EXTENSIONS, FORMATS, render
from monitor.digest.run import make_digest
from tests.digest_scenario import NOW, SINCE, build_store

GOLDEN = Path(__file__).parent / "golden" / "digest"
ROOT = Path(__file__).resolve().parent.parent
REGEN = os.environ.get("NOTICEWATCH_REGEN_GOLDEN") == "1"


@pytest.fixture(scope="module")
def digest(tmp_path_factory: pytest.TempPathFactory):
    with build_store(tmp_path_factory.mktemp("digest") / "s.db") as store:
        return make_digest(store, store.events(since=SINCE), NOW, DigestConfig(), scope=f"events since {SINCE}")


def test_scenario_has_every_section(digest) -> None:
    assert [s.key for s in digest.sections] == list(SECTION_ORDER)
    assert {p.kind for p in digest.problems} == {"blocked", "list_failed", "silent"}
    assert digest.counts == {"withdrawn": 1, "new": 3, "changed": 1, "closing_soon": 1, "removed": 3, "problems": 2}


@pytest.mark.parametrize("fmt", FORMATS)
def test_golden(digest, fmt: str) -> None:
    text = render(digest, fmt, base_url="https://news.example.org/noticewatch/")
    path = GOLDEN / f"scenario.{EXTENSIONS[fmt]}"
    if REGEN:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert path.exists(), f"{path}: missing; run with NOTICEWATCH_REGEN_GOLDEN=1 and review it"
    assert text == path.read_text(encoding="utf-8"), f"{path} differs (NOTICEWATCH_REGEN_GOLDEN=1 to accept)"


def test_json_matches_its_schema(digest) -> None:
    schema = json.loads((ROOT / "docs" / "digest.schema.json").read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.validate(json.loads(render(digest, "json")), schema)


def test_atom_is_a_valid_feed_with_one_entry_per_event(digest) -> None:
    feed = feedparser.parse(render(digest, "atom"))
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.version == "atom10"
    events = [i for s in digest.sections if s.key != "closing_soon" for g in s.groups for i in g.items]
    assert len(feed.entries) == len(events) == 8
    ids = [entry.id for entry in feed.entries]
    assert len(set(ids)) == len(ids)
    assert feed.entries[0].title.startswith("Restored: ")  # newest (highest event id) first
    again = feedparser.parse(render(digest, "atom"))
    assert [entry.id for entry in again.entries] == ids


def test_html_is_well_formed_and_self_contained(digest) -> None:
    html = render(digest, "html")
    tags = TagCollector.collect(html)
    assert "script" not in tags and "img" not in tags and "link" not in tags
    assert 'href="https://www.gdjct.gd.gov.cn/xunshizgls/content/post_4512001.html"' in html


class TagCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.attrs: list[tuple[str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attrs.extend(attrs)

    @classmethod
    def collect(cls, html: str) -> list[str]:
        parser = cls()
        parser.feed(html)
        return parser.tags
