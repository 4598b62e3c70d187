"""The notice record: the one shape every stage (parser, store, CLI, digests) agrees on.

Field names follow ../shared/DESIGN.md ("The notice record"). Dates are ISO ``YYYY-MM-DD`` strings,
``None`` where the page does not say. Lists are tuples so the record stays hashable and frozen.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

DOC_TYPES = ("rectification_notice", "news", "other")

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
)


@dataclass(frozen=True)
class Notice:
    doc_type: str = "other"
    title: str | None = None
    url: str | None = None
    source_id: str | None = None
    published_at: str | None = None
    script: str = "hans"
    inspection_level: str | None = None
    inspection_kind: str | None = None
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

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict in DESIGN.md field order (lists as lists, None as null)."""
        out: dict[str, Any] = {}
        for name in NOTICE_FIELDS:
            value = getattr(self, name)
            out[name] = list(value) if isinstance(value, tuple) else value
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Notice:
        """Inverse of `to_dict`; unknown keys are ignored, lists become tuples."""
        kwargs: dict[str, Any] = {}
        for f in dataclasses.fields(cls):
            value = data.get(f.name)
            if f.name in ("phones", "emails"):
                kwargs[f.name] = tuple(value or ())
            elif value is not None:
                kwargs[f.name] = value
        return cls(**kwargs)

    def replace(self, **changes: Any) -> Notice:
        return dataclasses.replace(self, **changes)
