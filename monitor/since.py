"""`--since` values: an ISO date/datetime, or a span back from now ("12h", "3d", "2w")."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

_SPAN = re.compile(r"^(\d+)\s*([mhdw])$")
_UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


def parse_since(value: str, now: datetime | None = None) -> str:
    """Return an ISO UTC timestamp; raise ValueError with a one-line hint."""
    now = now or datetime.now(UTC)
    text = value.strip().lower()
    if not text:
        raise ValueError("--since '': give a date (2024-10-01), a datetime, or a span like 12h, 3d, 2w")
    match = _SPAN.match(text)
    if match:
        try:
            moment = now - timedelta(**{_UNITS[match[2]]: int(match[1])})
        except (OverflowError, ValueError):  # further back than year 1
            raise ValueError(f"--since {value!r}: that reaches back before the year 1; use a shorter span") from None
        return moment.isoformat(timespec="seconds")
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        raise ValueError(f"--since {value!r}: use an ISO date (2024-10-01), a datetime, or a span like 12h, 3d, 2w") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat(timespec="seconds")
