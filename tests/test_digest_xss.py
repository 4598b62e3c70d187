"""Hostile scraped text: a notice title or organisation carrying HTML, Markdown or rich markup
must come out as text in every format."""

from __future__ import annotations

import re
from pathlib import Path

import feedparser

from monitor.config.digest import DigestConfig
from monitor.digest.render import render
from monitor.digest.run import make_digest
from monitor.store.db import Store
from tests.digest_scenario import NOW, item, notice
from tests.test_digest_golden import TagCollector

HOSTILE = '<script>alert("t")</script><img src=x onerror=alert(1)>[x](javascript:alert(2)) **b** [bold red]R[/]'
ORG = "</span><iframe src=//evil></iframe>"


def hostile_digest(tmp_path: Path):
    with Store(tmp_path / "x.db") as store:
        store.sync_source("evil", "<b>Evil</b> source", "nfcms", ["https://evil.example/"])
        n = notice(HOSTILE, "https://evil.example/post_1.html", "evil", inspected_org=ORG,
                   disclosure_start="2024-10-01", disclosure_end="2024-10-09", phones=("<svg onload=alert(3)>",))
        store.save_item(item(n, "2024-10-07T00:00:00+00:00"))
        bad_link = notice("javascript link", "javascript:alert(4)", "evil", published_at="2024-10-01")
        store.save_item(item(bad_link, "2024-10-07T00:00:01+00:00"))
        return make_digest(store, store.events(), NOW, DigestConfig())


def test_html_escapes_everything_scraped(tmp_path: Path) -> None:
    html = render(hostile_digest(tmp_path), "html")
    parser = TagCollector()
    parser.feed(html)
    assert not {"script", "img", "iframe", "svg"} & set(parser.tags)
    assert "&lt;b&gt;Evil&lt;/b&gt; source" in html
    assert all(not (name.startswith("on")) for name, _ in parser.attrs)
    assert not any(value and "javascript:" in value for _, value in parser.attrs)
    assert "&lt;script&gt;alert(&quot;t&quot;)&lt;/script&gt;" in html
    assert "javascript link</span>" in html  # shown, not linked


def test_markdown_escapes_html_and_markup(tmp_path: Path) -> None:
    md = render(hostile_digest(tmp_path), "md")
    assert "<script" not in md and "<iframe" not in md and "<svg" not in md
    assert "&lt;script&gt;" in md
    assert not re.search(r"(?<!\\)\]\((<)?javascript:", md)  # "\[x\](javascript:…)" is text, not a link
    assert "\\*\\*b\\*\\*" in md


def test_terminal_prints_markup_literally(tmp_path: Path) -> None:
    text = render(hostile_digest(tmp_path), "terminal", width=300)
    assert "[bold red]R[/]" in text
    assert '<script>alert("t")</script>' in text


def test_atom_keeps_the_title_as_text(tmp_path: Path) -> None:
    atom = render(hostile_digest(tmp_path), "atom")
    assert "<script>" not in atom
    feed = feedparser.parse(atom)
    assert not feed.bozo
    titles = [e.title for e in feed.entries]
    assert any(t.endswith(HOSTILE) for t in titles), titles
    assert all("javascript:" not in (link.href or "") for e in feed.entries for link in e.get("links", []))


def test_json_carries_the_raw_text(tmp_path: Path) -> None:
    import json

    data = json.loads(render(hostile_digest(tmp_path), "json"))
    titles = [i["notice"]["title"] for s in data["sections"] for g in s["groups"] for i in g["items"]]
    assert HOSTILE in titles  # JSON consumers get the data as scraped; escaping is theirs
