"""What changed between two versions of a notice. Pure functions on dataclasses, no I/O.

docs/changes.md: compare normalised text, not bytes. Two fetches whose normalised
title and body are equal are the same version, whatever the page chrome did. When they differ, the
change is described field by field ("disclosure_end 2024-10-25 → 2024-11-08") and by a
character-level body diff (Chinese has no spaces, so word diffs are useless).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import Any

from diff_match_patch import diff_match_patch

from crawler.notice import NOTICE_FIELDS, Notice
from crawler.parser import normalise_for_compare

# Fields that are not content: where the notice lives, derived hashes, and the parser's own
# diagnostics (a better parser must not look like an edited notice).
NOT_COMPARED = frozenset({"url", "source_id", "body_text", "content_hash", "warnings"})
DIFF_TIMEOUT_S = 1.0  # diff-match-patch gives up optimising after this; the diff is still valid


@dataclass(frozen=True)
class FieldChange:
    field: str
    old: Any
    new: Any

    def describe(self) -> str:
        """'disclosure_end 2024-10-25 → 2024-11-08', 'phones +0756-1 −0756-2'."""
        if isinstance(self.old, list | tuple) or isinstance(self.new, list | tuple):
            old, new = list(self.old or ()), list(self.new or ())
            parts = [f"+{v}" for v in new if v not in old] + [f"−{v}" for v in old if v not in new]
            if not parts:  # same members, new order
                parts = [f"{', '.join(old)} → {', '.join(new)}"]
            return f"{self.field} {' '.join(parts)}"
        return f"{self.field} {_show(self.old)} → {_show(self.new)}"

    def to_dict(self) -> dict[str, Any]:
        return {"field": self.field, "old": _jsonable(self.old), "new": _jsonable(self.new)}


@dataclass(frozen=True)
class BodyDiff:
    """diff-match-patch operations: (-1 deleted | 0 same | 1 inserted, text)."""

    ops: tuple[tuple[int, str], ...]

    @property
    def changed(self) -> bool:
        return any(op != 0 for op, _ in self.ops)

    def render(self, context: int = 15, max_chars: int = 400) -> str:
        """A short excerpt: '…至[-10月25-]{+11月8+}日。…' with `context` characters around each change."""
        out: list[str] = []
        last = len(self.ops) - 1
        for index, (op, text) in enumerate(self.ops):
            if op == -1:
                out.append(f"[-{text}-]")
            elif op == 1:
                out.append(f"{{+{text}+}}")
            elif len(text) > 2 * context:
                head = text[:context] if index > 0 else ""
                tail = text[-context:] if index < last else ""
                out.append(head + ("…" if head or tail else "") + tail)
            else:
                out.append(text)
        excerpt = "".join(out)
        return excerpt if len(excerpt) <= max_chars else excerpt[: max_chars - 1] + "…"

    def to_list(self) -> list[list[Any]]:
        return [[op, text] for op, text in self.ops]


@dataclass(frozen=True)
class NoticeChange:
    fields: tuple[FieldChange, ...]
    body: BodyDiff

    def summary(self) -> str:
        if self.fields:
            return "; ".join(change.describe() for change in self.fields)
        return "body text edited"


def version_key(notice: Notice) -> tuple[str, str]:
    """Two fetches are the same version iff their normalised title and body are equal."""
    return (normalise_for_compare(notice.title or ""), notice.content_hash)


def same_version(old: Notice, new: Notice) -> bool:
    return version_key(old) == version_key(new)


def compare_notices(old: Notice, new: Notice) -> NoticeChange | None:
    """None when the normalised content is unchanged; else the field changes and the body diff."""
    if same_version(old, new):
        return None
    fields = tuple(
        FieldChange(name, getattr(old, name), getattr(new, name))
        for name in NOTICE_FIELDS
        if name not in NOT_COMPARED and _differs(getattr(old, name), getattr(new, name))
    )
    return NoticeChange(fields=fields, body=diff_text(old.body_text, new.body_text))


def diff_text(old: str, new: str) -> BodyDiff:
    """Character-level diff of two bodies after cosmetic folding (width, whitespace)."""
    engine = diff_match_patch()
    engine.Diff_Timeout = DIFF_TIMEOUT_S
    ops = engine.diff_main(_fold(old), _fold(new))
    engine.diff_cleanupSemantic(ops)
    return BodyDiff(tuple((op, text) for op, text in ops))


def identity_key(notice: Notice) -> tuple[str, ...] | None:
    """Same title, organisation and dates: the same notice, wherever it is published (moves).

    None when there is too little to identify it by (no title, or no dates at all).
    """
    dates = (notice.published_at, notice.inspection_start, notice.disclosure_start, notice.disclosure_end)
    if not notice.title or not any(dates):
        return None
    return (
        normalise_for_compare(notice.title),
        normalise_for_compare(notice.inspected_org or ""),
        *(d or "" for d in dates),
    )


def _differs(old: Any, new: Any) -> bool:
    if isinstance(old, str) and isinstance(new, str):
        return normalise_for_compare(old) != normalise_for_compare(new)
    if isinstance(old, list | tuple) and isinstance(new, list | tuple):
        return list(old) != list(new)
    return old != new


def _fold(text: str) -> str:
    folded = unicodedata.normalize("NFKC", text)
    return "\n".join(" ".join(line.split()) for line in folded.splitlines() if line.strip())


def _show(value: Any) -> str:
    return "(none)" if value in (None, "") else str(value)


def _jsonable(value: Any) -> Any:
    return list(value) if isinstance(value, tuple) else value
