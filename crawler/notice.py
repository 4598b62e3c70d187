"""The notice record: the one shape every stage (parser, store, CLI, digests) agrees on.

Field names follow docs/storage.md ("The notice record"). Dates are ISO ``YYYY-MM-DD`` strings,
``None`` where the page does not say. Lists are tuples so the record stays hashable and frozen.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, field
from typing import Any

DOC_TYPES = ("rectification_notice", "inspection_announcement", "feedback_news", "news", "other")

# How disclosure_end was obtained (`Notice.disclosure_basis`); None when there is no window.
DISCLOSURE_BASES = (
    "calendar_range",  # both ends stated ("2024年9月26日至10月25日")
    "from_publication",  # "即日起至10月25日": the start is the publication date
    "calendar_days",  # "为期30天" counted from the stated start, start day included
    "working_days",  # "N个工作日" counted on the built-in 2023–2026 official calendar
    "working_days_mon_fri",  # "N个工作日" outside that calendar: Monday–Friday only, 调休 ignored
    "deadline_only",  # only an end is stated ("受理信访时间截止到…"); the start is null
    "arrival_to_deadline",  # an announcement: from the stated arrival date to the stated deadline
)

# Order matters: it is the column order in the store and the key order of `parse --json`.
NOTICE_FIELDS = (
    "doc_type",
    "title",
    "url",
    "source_id",
    "published_at",
    "script",
    "inspection_level",
    "inspection_kind",
    "inspection_round",
    "inspection_team",
    "inspected_org",
    "inspection_start",
    "inspection_end",
    "feedback_date",
    "disclosure_start",
    "disclosure_end",
    "phones",
    "emails",
    "postal_address",
    "postcode",
    "signer",
    "signed_date",
    "body_text",
    "content_hash",
    "disclosure_basis",
    "outline",
    "item_count",
    "warnings",
    "identifier",
    "document_number",
)
# Tuple-valued fields (tuples of strings).
TUPLE_FIELDS = ("inspection_kind", "phones", "emails", "outline", "warnings")
# The inspection kinds a notice can state (`Notice.inspection_kind` holds those stated, in reading order).
INSPECTION_KINDS = ("常规", "专项", "机动", "提级", "交叉", "联动", "延伸", "点穴", "回头看")


@dataclass(frozen=True)
class Notice:
    doc_type: str = "other"
    title: str | None = None
    url: str | None = None
    source_id: str | None = None
    published_at: str | None = None
    script: str = "hans"
    inspection_level: str | None = None
    # Every kind the document states, in reading order: ("常规", "专项"), ("提级", "交叉"); () when none.
    inspection_kind: tuple[str, ...] = field(default_factory=tuple)
    inspection_round: str | None = None
    inspection_team: str | None = None
    inspected_org: str | None = None
    inspection_start: str | None = None
    inspection_end: str | None = None
    feedback_date: str | None = None
    disclosure_start: str | None = None
    disclosure_end: str | None = None
    phones: tuple[str, ...] = field(default_factory=tuple)
    emails: tuple[str, ...] = field(default_factory=tuple)
    postal_address: str | None = None
    postcode: str | None = None
    signer: str | None = None
    signed_date: str | None = None
    body_text: str = ""
    content_hash: str = ""
    # How the disclosure window's end was obtained: one of DISCLOSURE_BASES, None without a window.
    disclosure_basis: str | None = None
    # The body's numbered structure, one heading a string with a normalised marker: "一、…" (level 1),
    # "(一)…" (2), "1.…" (3), "一是…" (4); parser.outline.outline_level reads the level back.
    # A later diff can name the section that changed.
    outline: tuple[str, ...] = field(default_factory=tuple)
    # Rectification items listed in the 整改任务落实情况 section (see parser/outline.py), None if no such section.
    item_count: int | None = None
    # Why a field is null or doubtful, e.g. "feedback_date: '2025年112日' is ambiguous (missing 月)".
    warnings: tuple[str, ...] = field(default_factory=tuple)
    # Open-government catalogue entries (gkmlpt): 索引号 ("11440400007049337C/2024-00123") and
    # 文号 ("珠纪发〔2024〕5号"), as the catalogue lists them; None elsewhere.
    identifier: str | None = None
    document_number: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict in the notice record's field order (docs/storage.md) (lists as lists, None as null)."""
        out: dict[str, Any] = {}
        for name in NOTICE_FIELDS:
            value = getattr(self, name)
            out[name] = list(value) if isinstance(value, tuple) else value
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Notice:
        """Inverse of `to_dict`; unknown keys are ignored, lists become tuples.

        Also reads what a text-typed store column gives back: JSON text for tuple fields, "12" for
        item_count, and a bare string for a field stored before it held a list (inspection_kind
        "常规" → ("常规",))."""
        kwargs: dict[str, Any] = {}
        for f in dataclasses.fields(cls):
            value = data.get(f.name)
            if f.name in TUPLE_FIELDS:
                if isinstance(value, str):
                    value = json.loads(value) if value.startswith("[") else [value] if value else []
                kwargs[f.name] = tuple(value or ())
            elif f.name == "item_count" and value is not None:
                kwargs[f.name] = int(value)
            elif value is not None:
                kwargs[f.name] = value
        return cls(**kwargs)

    def replace(self, **changes: Any) -> Notice:
        return dataclasses.replace(self, **changes)
