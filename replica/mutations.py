"""Mutations between crawls: what real portals do to published notices, staged on a `Site`.

Every mutation takes effect on the next request (the server renders the site as it is) and keeps
the replica's ground truth right: a notice's `expected` fields follow its text, and its `modified`
time (→ `Last-Modified`) and the column's (→ the lists' `Last-Modified`) move on. Times are CMS
times ("2024-10-08 09:30:00", UTC+8) or datetimes; by default "now", but always at least a second
after the column's last change, so `If-Modified-Since` sees every change.

- edit_field: a notice field really changes in the text (window end, phones, address, …).
- edit_body: one paragraph rewritten (expected fields updated only as told).
- churn: cosmetic only — re-wrapped lines, full-/half-width punctuation swapped, a new date in the
  page's top bar, another view counter; content identical after normalisation.
- remove / restore: the detail page 404s and the post leaves the lists; and back.
- move: the same notice at a new URL (the old one 404s).
- publish (with next_notice): a new post at the top of page 1, pushing the last one to page 2.
- redirect_home / challenge: the detail page answers a 302 to the site's home, or an anti-bot
  page (412 + JS cookie script, 521, or a 200 captcha page); restore undoes them.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

from replica.challenges import CHALLENGES
from replica.faults import Fault
from replica.generator import generate_notices
from replica.model import EXPECTED_FIELDS, ReplicaNotice, Site
from replica.validators import CST, cms_time

When = str | dt.datetime | None

# Fields edit_field rewrites in the text; the others (dates of the inspection, doc_type, …) are
# staged with edit_body and an explicit `expected`.
WINDOW_FIELDS = ("disclosure_start", "disclosure_end")
LIST_FIELDS = ("phones", "emails")
TEXT_FIELDS = ("title", "postal_address", "postcode", "inspection_team", "inspected_org", "signer")
EDITABLE_FIELDS = (*WINDOW_FIELDS, *LIST_FIELDS, *TEXT_FIELDS)

_WINDOW = re.compile(
    r"(?P<label>公开期限\s*[:\uff1a]\s*)(?P<y1>\d{4})年(?P<m1>\d{1,2})月(?P<d1>\d{1,2})日"
    r"(?P<to>至|到|—|-)(?:(?P<y2>\d{4})年)?(?P<m2>\d{1,2})月(?P<d2>\d{1,2})日"
)
_HALF, _FULL = ",:;()", "\uff0c\uff1a\uff1b\uff08\uff09"
_TO_FULL = str.maketrans(_HALF, _FULL)
_TO_HALF = str.maketrans(_FULL, _HALF)
_WRAPS = (38, 27, 45)
_WEEKDAYS = "一二三四五六日"


# -- times -------------------------------------------------------------------------------------


def cms_stamp(when: str | dt.datetime) -> str:
    """A CMS time string from a string (checked) or a datetime (aware: converted to UTC+8)."""
    if isinstance(when, str):
        cms_time(when)  # raises ValueError on anything but "YYYY-MM-DD HH:MM:SS"
        return when
    if when.tzinfo is not None:
        when = when.astimezone(CST)
    return when.strftime("%Y-%m-%d %H:%M:%S")


def _stamp(site: Site, at: When) -> str:
    if at is not None:
        return cms_stamp(at)
    now = dt.datetime.now(CST).replace(microsecond=0, tzinfo=None)
    floor = cms_time(site.last_modified()).replace(tzinfo=None) + dt.timedelta(seconds=1)
    return cms_stamp(max(now, floor))


def _put(site: Site, old: ReplicaNotice, new: ReplicaNotice) -> ReplicaNotice:
    site.notices[site.notices.index(old)] = new
    return new


def set_modified(site: Site, post_id: int, when: str | dt.datetime) -> ReplicaNotice:
    """Set a post's modification time (its `Last-Modified`) without changing anything else."""
    notice = site.get(post_id)
    return _put(site, notice, notice.replace(modified=cms_stamp(when)))


# -- edits -------------------------------------------------------------------------------------


def _cn_date(day: dt.date, *, year: bool = True) -> str:
    return (f"{day.year}年" if year else "") + f"{day.month}月{day.day}日"


def _implicit_end(start: dt.date, month: int, day: int) -> dt.date:
    """How a reader dates an end written without its year: the start's year, or the next one
    when the month comes before the start's (generator and parser agree on this)."""
    return dt.date(start.year + (1 if month < start.month else 0), month, day)


def _window_text(match: re.Match[str], start: dt.date, end: dt.date) -> str:
    explicit = bool(match["y2"])
    try:
        explicit = explicit or _implicit_end(start, end.month, end.day) != end
    except ValueError:  # 2月29日 in a year without one
        explicit = True
    return f"{match['label']}{_cn_date(start)}{match['to']}{_cn_date(end, year=explicit)}"


def _as_date(field: str, value: object) -> dt.date:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise ValueError(f"edit_field {field}: want a date or YYYY-MM-DD, got {value!r}") from None


def _edit_window(notice: ReplicaNotice, field: str, value: object) -> tuple[list[str], dict[str, Any]]:
    new_day = _as_date(field, value)
    paragraphs = list(notice.paragraphs)
    for i, text in enumerate(paragraphs):
        match = _WINDOW.search(text)
        if match is None:
            continue
        start = dt.date(int(match["y1"]), int(match["m1"]), int(match["d1"]))
        if match["y2"]:
            end = dt.date(int(match["y2"]), int(match["m2"]), int(match["d2"]))
        else:
            end = _implicit_end(start, int(match["m2"]), int(match["d2"]))
        start, end = (new_day, end) if field == "disclosure_start" else (start, new_day)
        if end < start:
            raise ValueError(f"edit_field {field}: window would end ({end}) before it starts ({start})")
        paragraphs[i] = text[: match.start()] + _window_text(match, start, end) + text[match.end() :]
        return paragraphs, {"disclosure_start": start.isoformat(), "disclosure_end": end.isoformat()}
    raise ValueError(f"edit_field {field}: post {notice.post_id} states no 公开期限 window")


def _replace_everywhere(
    notice: ReplicaNotice, pairs: Sequence[tuple[str, str]], field: str
) -> tuple[list[str], str, dict[str, Any]]:
    """Replace each (old, new) in the body and title, and in every expected value holding it."""
    paragraphs, title = list(notice.paragraphs), notice.title
    expected = dict(notice.expected)
    for old, new in pairs:
        if not old:
            raise ValueError(f"edit_field {field}: post {notice.post_id} has no {field} to change")
        if old not in title and not any(old in p for p in paragraphs):
            raise ValueError(f"edit_field {field}: {old!r} is not in post {notice.post_id}'s text")
        paragraphs = [p.replace(old, new) for p in paragraphs]
        title = title.replace(old, new)
        for name, value in expected.items():
            if isinstance(value, str) and old in value:
                expected[name] = value.replace(old, new)
            elif isinstance(value, list):
                expected[name] = [v.replace(old, new) if isinstance(v, str) else v for v in value]
    return paragraphs, title, expected


def edit_field(site: Site, post_id: int, field: str, new_value: object, *, at: When = None) -> ReplicaNotice:
    """Change one notice field where the text states it, and its expected value with it.

    disclosure_start / disclosure_end: a date (or "YYYY-MM-DD") rewritten in the "公开期限:…至…"
    sentence (10月25日 → 11月8日); phones / emails: the new list (or one string) in place of the old;
    title, postal_address, postcode, inspection_team, inspected_org, signer: a new string,
    replaced wherever the old one occurs (so a signer's name changes in the title too)."""
    if field not in EDITABLE_FIELDS:
        raise ValueError(f"edit_field: cannot rewrite {field!r} (editable: {', '.join(EDITABLE_FIELDS)})")
    notice = site.get(post_id)
    title = notice.title
    expected = dict(notice.expected)
    if field in WINDOW_FIELDS:
        paragraphs, window = _edit_window(notice, field, new_value)
        expected.update(window)
    elif field in LIST_FIELDS:
        new = [new_value] if isinstance(new_value, str) else [str(v) for v in new_value]  # type: ignore[attr-defined]
        old = list(notice.expected.get(field) or [])
        joined = "、".join(old)
        if old and any(joined in p for p in notice.paragraphs):
            pairs = [(joined, "、".join(new))]
        elif len(old) == len(new):
            pairs = list(zip(old, new, strict=True))
        else:
            raise ValueError(f"edit_field {field}: cannot map {old} onto {new} in post {post_id}")
        paragraphs, title, expected = _replace_everywhere(notice, pairs, field)
        expected[field] = new
    else:
        if not isinstance(new_value, str) or not new_value:
            raise ValueError(f"edit_field {field}: want a non-empty string, got {new_value!r}")
        old_value = notice.title if field == "title" else notice.expected.get(field)
        paragraphs, title, expected = _replace_everywhere(notice, [(str(old_value or ""), new_value)], field)
    changed = notice.replace(title=title, paragraphs=paragraphs, expected=expected, modified=_stamp(site, at))
    return _put(site, notice, changed)


def edit_body(
    site: Site,
    post_id: int,
    paragraph_index: int,
    new_text: str,
    *,
    expected: Mapping[str, Any] | None = None,
    at: When = None,
) -> ReplicaNotice:
    """Rewrite paragraph `paragraph_index` (negative counts from the end). Expected fields change
    only as `expected` says (e.g. an added sentence that changes no field needs none)."""
    notice = site.get(post_id)
    paragraphs = list(notice.paragraphs)
    try:
        paragraphs[paragraph_index] = new_text
    except IndexError:
        raise IndexError(
            f"edit_body: post {post_id} has {len(paragraphs)} paragraphs, no index {paragraph_index}"
        ) from None
    unknown = set(expected or {}) - set(EXPECTED_FIELDS)
    if unknown:
        raise ValueError(f"edit_body: unknown expected field(s) {sorted(unknown)}")
    changed = notice.replace(
        paragraphs=paragraphs,
        expected={**notice.expected, **(expected or {})},
        modified=_stamp(site, at),
    )
    return _put(site, notice, changed)


def swap_width(paragraphs: Sequence[str]) -> list[str]:
    """Full-width ",:;()" → half-width if the text has any, else half → full."""
    table = _TO_HALF if any(ch in p for p in paragraphs for ch in _FULL) else _TO_FULL
    return [p.translate(table) for p in paragraphs]


def chrome_date(stamp: str) -> str:
    """ "2024-10-03 08:00:00" → "2024年10月3日 星期四", as portals print today's date."""
    day = cms_time(stamp).date()
    return f"{_cn_date(day)} 星期{_WEEKDAYS[day.weekday()]}"


def churn(site: Site, post_id: int, *, at: When = None) -> ReplicaNotice:
    """Cosmetic change: the page's bytes (and ETag, Last-Modified) change, its content does not —
    lines re-wrapped, full-/half-width punctuation swapped, a new date in the top bar, another
    view counter. Expected fields stay as they are."""
    notice = site.get(post_id)
    stamp = _stamp(site, at)
    shown = notice.presentation
    wrap = next(w for w in _WRAPS if w != shown.wrap)
    presentation = replace(
        shown, wrap=wrap, chrome_date=chrome_date(stamp), views_base=shown.views_base + 1000
    )
    changed = notice.replace(
        paragraphs=swap_width(notice.paragraphs), presentation=presentation, modified=stamp
    )
    return _put(site, notice, changed)


# -- withdrawals, moves, new posts ---------------------------------------------------------------


def remove(site: Site, post_id: int, *, at: When = None) -> ReplicaNotice:
    """Withdraw a post: its detail page 404s and it leaves the lists (restore brings it back)."""
    notice = site.get(post_id)
    site.modified = _stamp(site, at)
    site.notices.remove(notice)
    site.removed[post_id] = notice
    site.detail_faults.pop(post_id, None)
    return notice


def restore(site: Site, post_id: int, *, at: When = None) -> ReplicaNotice:
    """Undo remove, redirect_home or challenge: the post is served (and listed) as before."""
    fault = site.detail_faults.pop(post_id, None)
    if post_id in site.removed:
        stamp = _stamp(site, at)
        notice = site.removed.pop(post_id)
        site.notices.append(notice)
        site.modified = stamp
        return notice
    if fault is None:
        raise KeyError(f"restore: post {post_id} of site {site.id} was neither removed nor blocked")
    return site.get(post_id)


def move(site: Site, post_id: int, new_post_id: int, *, at: When = None) -> ReplicaNotice:
    """The same notice at a new URL (post_{new_post_id}.html); the old URL 404s."""
    notice = site.get(post_id)
    if site.find(new_post_id) is not None or new_post_id in site.removed:
        raise ValueError(f"move: site {site.id} already has a post {new_post_id}")
    stamp = _stamp(site, at)
    site.modified = stamp
    site.detail_faults.pop(post_id, None)
    return _put(site, notice, notice.replace(post_id=new_post_id, modified=stamp))


def publish(site: Site, notice: ReplicaNotice, *, at: When = None) -> ReplicaNotice:
    """Add a post; it is listed by its publication time (next_notice makes one that goes on top)."""
    if site.find(notice.post_id) is not None or notice.post_id in site.removed:
        raise ValueError(f"publish: site {site.id} already has a post {notice.post_id}")
    site.modified = _stamp(site, at)
    site.notices.append(notice)
    return notice


def next_notice(site: Site, seed: int = 0, post_id: int | None = None) -> ReplicaNotice:
    """A generated notice published 1–3 days after the column's newest post (so publish puts it at
    the top of page 1), with a fresh post id and consistent expected fields."""
    newest = site.newest_first()
    ids = [n.post_id for n in site.notices] + list(site.removed)
    after = cms_time(newest[0].published).date() if newest else dt.date(2024, 9, 25)
    source = newest[0].source_name if newest else site.site_name
    [notice] = generate_notices(
        1,
        seed=seed,
        start_id=post_id or max(ids, default=1_000_000) + 17,
        source_name=source,
        published_between=(after + dt.timedelta(days=1), after + dt.timedelta(days=3)),
    )
    return notice


# -- failures a crawler must not take for withdrawals --------------------------------------------


def redirect_home(site: Site, post_id: int) -> None:
    """The detail page answers 302 to the site's home page (as withdrawn pages often do)."""
    site.detail_faults[post_id] = Fault(redirect="/")


def challenge(site: Site, post_id: int, kind: str = "js_cookie") -> None:
    """The detail page answers an anti-bot page: "js_cookie" (412 + JS cookie script), "jsl" (521)
    or "captcha" (200 with a captcha form)."""
    if kind not in CHALLENGES:
        raise ValueError(f"challenge: unknown kind {kind!r} (valid: {', '.join(CHALLENGES)})")
    site.detail_faults[post_id] = Fault(challenge=kind)
