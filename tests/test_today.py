"""One notion of today: the date in China (monitor.window.china_today), wherever a window status is worked out."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from crawler.notice import Notice
from monitor.digest.words import window_words
from monitor.window import china_today, window_status

ROOT = Path(__file__).resolve().parent.parent
# Dates that are not window statuses: `discover` stamps the day it proposed a config entry.
NOT_WINDOWS = {"discover.py"}


@pytest.mark.parametrize(("moment", "day"), [
    (datetime(2024, 10, 24, 15, 59, tzinfo=UTC), date(2024, 10, 24)),
    (datetime(2024, 10, 24, 16, 0, tzinfo=UTC), date(2024, 10, 25)),  # midnight in Beijing
    (datetime(2024, 10, 24, 23, 0, tzinfo=timezone(timedelta(hours=-7))), date(2024, 10, 25)),
    (datetime(2024, 12, 31, 16, 30, tzinfo=UTC), date(2025, 1, 1)),
])
def test_china_today(moment: datetime, day: date) -> None:
    assert china_today(moment) == day


def test_a_naive_time_is_refused() -> None:
    with pytest.raises(ValueError, match="no time zone"):
        china_today(datetime(2024, 10, 24, 16, 0))


def test_the_evening_in_utc_is_already_tomorrow_in_china() -> None:
    """The bug of issue 18: at 16:30 UTC on the 24th a window ending the 25th closes *today*."""
    notice = Notice(disclosure_start="2024-09-26", disclosure_end="2024-10-25")
    today = china_today(datetime(2024, 10, 24, 16, 30, tzinfo=UTC))
    assert window_status(notice, today) == "closing soon"
    assert window_words(notice, today, 3)[1] == "open, closes today (2024-10-25)"


def test_no_window_status_is_taken_from_the_machines_date() -> None:
    """Nothing under monitor/ asks the machine (or UTC) for 'today'; it asks china_today()."""
    pattern = re.compile(r"date\.today\(\)|datetime\.now\(UTC\)\.date\(\)|utcnow\(\)\.date\(\)")
    offenders = [f"{path.relative_to(ROOT)}:{n}" for path in (ROOT / "monitor").rglob("*.py")
                 for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
                 if pattern.search(line) and path.name not in NOT_WINDOWS]
    assert not offenders, offenders
