"""The digest as an Atom feed (feedgen): one entry per event, ids stable across runs.

An entry's id is a UUID derived from the event's kind, notice URL and detection time, so a feed
rebuilt from the same database — or from a copy — repeats the same ids and feed readers do not
show an event twice. The entry body is the event rendered as escaped HTML.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from feedgen.feed import FeedGenerator

from monitor.digest.build import Digest, Item
from monitor.digest.render.common import safe_url
from monitor.digest.render.html import item_html, small_item_html

NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://noticewatch.invalid/")
TITLE_PREFIX = {"new": "New", "changed": "Changed", "removed": "Removed", "restored": "Restored",
                "moved": "Moved", "withdrawn": "WITHDRAWN while open"}


def entry_id(item: Item) -> str:
    key = f"event:{item.kind}:{item.notice.url}:{item.detected_at}"
    return f"urn:uuid:{uuid.uuid5(NAMESPACE, key)}"


def render_atom(digest: Digest, base_url: str | None = None) -> str:
    fg = FeedGenerator()
    fg.id(f"urn:uuid:{uuid.uuid5(NAMESPACE, 'feed:' + (base_url or digest.title))}")
    fg.title(digest.title)
    fg.subtitle(digest.headline())
    fg.author({"name": "noticewatch"})
    fg.generator("noticewatch")
    fg.language("zh")
    if safe_url(base_url):
        fg.link(href=base_url, rel="alternate")
    updated = [_when(i.detected_at) for s in digest.sections for g in s.groups for i in g.items if i.detected_at]
    fg.updated(max(updated) if updated else _when(digest.generated_at))
    entries = [(s.key, i) for s in digest.sections if s.key != "closing_soon" for g in s.groups for i in g.items]
    # feedgen prepends each new entry; add oldest first so the newest is on top.
    for key, item in sorted(entries, key=lambda pair: pair[1].event_id or 0):
        fe = fg.add_entry()
        fe.id(entry_id(item))
        fe.title(f"{TITLE_PREFIX['withdrawn' if key == 'withdrawn' else item.kind]}: {item.notice.title}")
        if safe_url(item.notice.url):
            fe.link(href=item.notice.url, rel="alternate")
        fe.updated(_when(item.detected_at or digest.generated_at))
        fe.published(_when(item.detected_at or digest.generated_at))
        fe.category(term=item.notice.source_id, label=item.notice.source_name)
        html = small_item_html(item) if key == "removed" else item_html(key, item)
        fe.content(html, type="html")
        fe.summary(item.summary or item.notice.title)
    return fg.atom_str(pretty=True).decode("utf-8")


def _when(iso: str) -> datetime:
    moment = datetime.fromisoformat(iso)
    if moment.tzinfo is None:
        from datetime import UTC

        moment = moment.replace(tzinfo=UTC)
    return moment
