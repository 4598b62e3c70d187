"""Disclosure-window status, derived at read time from "now" — never stored as truth.

"Today" is the date in China (Asia/Shanghai), whatever the machine's clock zone: notices state their
windows in China's calendar, and a window ending 10月25日 closes at the end of that day there.
`china_today()` is the one place that date is taken; the CLI's lists and search, the digests, the
re-checks' "window open" and "removed while open", and the web reader all use it (docs/storage.md, "Today").
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from crawler.notice import Notice

CLOSING_SOON_DAYS = 3
CHINA = ZoneInfo("Asia/Shanghai")


def china_today(now: datetime | None = None) -> date:
    """The date in China at `now` (an aware datetime; default: the current time)."""
    moment = now if now is not None else datetime.now(UTC)
    if moment.tzinfo is None:
        raise ValueError(f"china_today: {moment!r} has no time zone")
    return moment.astimezone(CHINA).date()


def window_status(notice: Notice, today: date, closing_soon_days: int = CLOSING_SOON_DAYS) -> str:
    """upcoming | open | closing soon | closed | unknown."""
    start = _as_date(notice.disclosure_start)
    end = _as_date(notice.disclosure_end)
    if end is None:
        return "unknown"
    if start is not None and today < start:
        return "upcoming"
    if today > end:
        return "closed"
    if (end - today).days <= closing_soon_days:
        return "closing soon"
    return "open"


def describe_window(notice: Notice, today: date) -> str:
    """'2024-09-26 → 2024-10-25 (open, closes in 12 days)' or 'no window stated'."""
    if not notice.disclosure_end:
        return "no window stated"
    status = window_status(notice, today)
    span = f"{notice.disclosure_start or '?'} → {notice.disclosure_end}"
    end = _as_date(notice.disclosure_end)
    if status in ("open", "closing soon") and end is not None:
        days = (end - today).days
        when = "closes today" if days == 0 else f"closes in {days} day{'s' if days != 1 else ''}"
        return f"{span} ({status}, {when})"
    return f"{span} ({status})"


def _as_date(value: str | None) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None
