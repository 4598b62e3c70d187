"""The digest as JSON: what webhooks receive. Schema: docs/digest.schema.json (version in "schema")."""

from __future__ import annotations

import json
from typing import Any

from monitor.digest.build import Digest, Item, NoticeRef
from monitor.digest.sources import SourceProblem

SCHEMA = "noticewatch.digest/1"


def digest_dict(digest: Digest) -> dict[str, Any]:
    return {
        "schema": SCHEMA,
        "title": digest.title,
        "generated_at": digest.generated_at,
        "today": digest.today,
        "timezone": "Asia/Shanghai",
        "scope": digest.scope,
        "headline": digest.headline(),
        "empty": digest.is_empty,
        "counts": digest.counts,
        "events": {"first_id": digest.first_event_id, "last_id": digest.last_event_id,
                   "count": len(digest.event_ids)},
        "closing_soon_days": digest.closing_soon_days,
        "sections": [
            {"key": s.key, "title": s.title, "count": s.count,
             "groups": [{"source_id": g.source_id, "source_name": g.source_name,
                         "items": [item_dict(i) for i in g.items]} for g in s.groups]}
            for s in digest.sections
        ],
        "problems": [problem_dict(p) for p in digest.problems],
    }


def item_dict(item: Item) -> dict[str, Any]:
    return {
        "kind": item.kind,
        "event_id": item.event_id,
        "detected_at": item.detected_at,
        "summary": item.summary,
        "note": item.note,
        "window_open": item.window_open,
        "notice": notice_dict(item.notice),
        "changes": [{"field": c.field, "label": c.label, "old": c.old, "new": c.new, "text": c.text}
                    for c in item.changes],
        "diff": [{"op": op, "text": text} for op, text in item.diff],
    }


def notice_dict(ref: NoticeRef) -> dict[str, Any]:
    return {
        "id": ref.id, "title": ref.title, "url": ref.url, "source_id": ref.source_id,
        "source_name": ref.source_name, "status": ref.status, "doc_type": ref.doc_type,
        "published_at": ref.published_at, "inspection_level": ref.inspection_level,
        "inspection_round": ref.inspection_round, "inspection_team": ref.inspection_team,
        "inspected_org": ref.inspected_org,
        "window": {"start": ref.disclosure_start, "end": ref.disclosure_end, "status": ref.window_status,
                   "text": ref.window_text, "days_left": ref.days_left},
        "contact": {"phones": list(ref.phones), "emails": list(ref.emails),
                    "postal_address": ref.postal_address, "postcode": ref.postcode},
    }


def problem_dict(p: SourceProblem) -> dict[str, Any]:
    return {"source_id": p.source_id, "source_name": p.source_name, "kind": p.kind, "detail": p.detail,
            "hint": p.hint, "since": p.since}


def render_json(digest: Digest) -> str:
    return json.dumps(digest_dict(digest), ensure_ascii=False, indent=2) + "\n"
