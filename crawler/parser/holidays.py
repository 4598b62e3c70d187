"""China's official working-day calendar (2023–2026) for "公示期为N个工作日".

Working days are Monday–Friday, minus the public holidays, plus the weekend days that are worked in
exchange (调休). The table below is data transcribed from the State Council General Office's yearly
holiday notices (国务院办公厅关于…年部分节假日安排的通知, www.gov.cn); outside COVERED_YEARS the
count falls back to Monday–Friday and the caller says so (disclosure_basis "working_days_mon_fri").
Provincial extra days and ethnic-autonomous-area holidays are not in it. The 2026 rows were checked
against the notice of 2025-11-04 as published by Xinhua (politics.gmw.cn/2025-11/04/content_38391083.htm):
seven holiday blocks and six worked weekend days, all as below.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

# (first day, last day) of each official holiday block, inclusive.
_OFF = (
    # 2023
    ("2022-12-31", "2023-01-02"),
    ("2023-01-21", "2023-01-27"),
    ("2023-04-05", "2023-04-05"),
    ("2023-04-29", "2023-05-03"),
    ("2023-06-22", "2023-06-24"),
    ("2023-09-29", "2023-10-06"),
    # 2024
    ("2023-12-30", "2024-01-01"),
    ("2024-02-10", "2024-02-17"),
    ("2024-04-04", "2024-04-06"),
    ("2024-05-01", "2024-05-05"),
    ("2024-06-08", "2024-06-10"),
    ("2024-09-15", "2024-09-17"),
    ("2024-10-01", "2024-10-07"),
    # 2025
    ("2025-01-01", "2025-01-01"),
    ("2025-01-28", "2025-02-04"),
    ("2025-04-04", "2025-04-06"),
    ("2025-05-01", "2025-05-05"),
    ("2025-05-31", "2025-06-02"),
    ("2025-10-01", "2025-10-08"),
    # 2026
    ("2026-01-01", "2026-01-03"),
    ("2026-02-15", "2026-02-23"),
    ("2026-04-04", "2026-04-06"),
    ("2026-05-01", "2026-05-05"),
    ("2026-06-19", "2026-06-21"),
    ("2026-09-25", "2026-09-27"),
    ("2026-10-01", "2026-10-07"),
)
# Weekend days worked in exchange (调休上班).
_WORKED_WEEKEND_DAYS = (
    "2023-01-28",
    "2023-01-29",
    "2023-04-23",
    "2023-05-06",
    "2023-06-25",
    "2023-10-07",
    "2023-10-08",
    "2024-02-04",
    "2024-02-18",
    "2024-04-07",
    "2024-04-28",
    "2024-05-11",
    "2024-09-14",
    "2024-09-29",
    "2024-10-12",
    "2025-01-26",
    "2025-02-08",
    "2025-04-27",
    "2025-09-28",
    "2025-10-11",
    "2026-01-04",
    "2026-02-14",
    "2026-02-28",
    "2026-05-09",
    "2026-09-20",
    "2026-10-10",
)
COVERED_YEARS = range(2023, 2027)


def _days(first: str, last: str) -> Iterator[dt.date]:
    day, end = dt.date.fromisoformat(first), dt.date.fromisoformat(last)
    while day <= end:
        yield day
        day += dt.timedelta(days=1)


HOLIDAYS = frozenset(day for first, last in _OFF for day in _days(first, last))
WORKED_WEEKEND_DAYS = frozenset(dt.date.fromisoformat(d) for d in _WORKED_WEEKEND_DAYS)


def is_working_day(day: dt.date, *, calendar: bool = True) -> bool:
    """Monday–Friday; with `calendar`, also the official holidays and 调休 days of COVERED_YEARS."""
    if calendar and day in WORKED_WEEKEND_DAYS:
        return True
    if calendar and day in HOLIDAYS:
        return False
    return day.weekday() < 5


def add_working_days(start: dt.date, count: int) -> tuple[dt.date, bool]:
    """The last day of `count` working days beginning at `start` (counted if it is a working day),
    and whether the official calendar covered the whole span (False: Monday–Friday only)."""
    day, seen = start, 0
    covered = True
    while True:
        covered = covered and day.year in COVERED_YEARS
        if is_working_day(day, calendar=day.year in COVERED_YEARS):
            seen += 1
            if seen >= count:
                return day, covered
        day += dt.timedelta(days=1)
