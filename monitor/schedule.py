"""Schedules: when a job runs. A cron line ("0 */6 * * *") or an interval ("every 6h", "every 90s").

Cron has minute resolution and is read in the configured timezone; intervals take s/m/h/d units and
may combine them ("every 1h30m"). Both become APScheduler 3 triggers. Pure: no I/O, no clock reads
except where a caller passes `now`.

Backoff and jitter live here too, because both are arithmetic on a schedule's period:
- jitter is capped at a tenth of the period, so "every 2s" with the default 60 s jitter still runs
  about every 2 s;
- after n failures in a row the next attempt waits min(period * 2**n, ceiling) — backoff only ever
  slows a source down, never retries sooner than its schedule (retry storms get IPs banned).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from typing import Any

INTERVAL = re.compile(r"^every\s+(?P<parts>(?:\d+(?:\.\d+)?\s*[smhd]\s*)+)$", re.I)
DURATION = re.compile(r"^(?:\d+(?:\.\d+)?\s*[smhd]\s*)+$", re.I)
PART = re.compile(r"(\d+(?:\.\d+)?)\s*([smhd])", re.I)
UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
OFF = ("off", "never", "none")
SYNTAX = 'a cron line like "0 */6 * * *" or an interval like "every 6h", "every 90s", "every 1h30m"'


@dataclass(frozen=True)
class Schedule:
    text: str
    cron: str | None = None
    interval: float | None = None  # seconds

    def trigger(
        self, jitter: float = 0.0, timezone: tzinfo | str = "UTC", start: datetime | None = None
    ) -> Any:
        """The APScheduler trigger, with jitter capped to a tenth of the period."""
        from apscheduler.triggers.cron import CronTrigger
        from apscheduler.triggers.interval import IntervalTrigger

        jitter = capped_jitter(jitter, self.period(timezone))
        if self.cron is not None:
            # from_crontab takes no jitter; it only splits the five fields, as here.
            return CronTrigger(**_cron_fields(self.cron), timezone=timezone, jitter=jitter or None)
        assert self.interval is not None
        return IntervalTrigger(
            seconds=self.interval, timezone=timezone, start_date=start, jitter=jitter or None
        )

    def period(self, timezone: tzinfo | str = "UTC", now: datetime | None = None) -> float:
        """Seconds between regular runs; for cron, the longest gap among the next few runs
        (a weekday-only schedule has a weekend gap)."""
        if self.interval is not None:
            return self.interval
        from apscheduler.triggers.cron import CronTrigger

        trigger = CronTrigger.from_crontab(self.cron, timezone=timezone)
        moment = now or datetime(2025, 1, 1, tzinfo=trigger.timezone)
        times = [trigger.get_next_fire_time(None, moment)]
        for _ in range(8):
            times.append(trigger.get_next_fire_time(times[-1], times[-1] + timedelta(seconds=1)))
        return max((b - a).total_seconds() for a, b in zip(times, times[1:], strict=False))

    def next_after(self, moment: datetime, timezone: tzinfo | str = "UTC") -> datetime:
        """The first regular run strictly after `moment` (an interval counts from `moment`)."""
        if self.interval is not None:
            return moment + timedelta(seconds=self.interval)
        return self.at_or_after(moment + timedelta(seconds=1), timezone)

    def at_or_after(self, moment: datetime, timezone: tzinfo | str = "UTC") -> datetime:
        """The first regular run at or after `moment` (any moment suits an interval)."""
        if self.interval is not None:
            return moment
        from apscheduler.triggers.cron import CronTrigger

        return CronTrigger.from_crontab(self.cron, timezone=timezone).get_next_fire_time(None, moment)


def parse_schedule(text: str, check_cron: bool = True) -> Schedule:
    """'every 90s' / 'every 6h' / 'every 1h30m' / a five-field cron line → Schedule; ValueError if neither.

    check_cron=False (read-only commands: `status`): a cron line's fields are not checked, only
    that it has five — APScheduler, which checks them, costs ~70 ms of start-up."""
    if not isinstance(text, str) or not text.strip():
        raise ValueError(f"expected {SYNTAX}, got {text!r}")
    text = " ".join(text.split())
    match = INTERVAL.match(text)
    if match:
        seconds = _seconds(match["parts"])
        if seconds <= 0:
            raise ValueError(f"'{text}': the interval must be longer than 0 seconds")
        return Schedule(text=text, interval=seconds)
    if text.lower().startswith("every"):
        # "is not a cron expression" first: the wording config errors have always used.
        raise ValueError(
            f'\'{text}\' is not a cron expression or an interval (units s, m, h, d: "every 90s", "every 6h")'
        )
    if not check_cron:
        if len(text.split()) != 5:
            raise ValueError(f"'{text}' is not {SYNTAX} (a cron line has five fields)")
        return Schedule(text=text, cron=text)
    # Imported only for cron lines: APScheduler costs ~70 ms of start-up (`status` reads schedules).
    from apscheduler.triggers.cron import CronTrigger

    try:
        CronTrigger.from_crontab(text, timezone="UTC")
    except ValueError as exc:
        raise ValueError(f"'{text}' is not {SYNTAX} ({exc})") from None
    return Schedule(text=text, cron=text)


def parse_optional_schedule(value: Any, check_cron: bool = True) -> Schedule | None:
    """Like parse_schedule, but None, false and "off" mean the job is not scheduled."""
    if value is None or value is False or (isinstance(value, str) and value.strip().lower() in OFF):
        return None
    return parse_schedule(value, check_cron)


def parse_duration(value: Any) -> float:
    """Seconds from a number (seconds) or a string like "90s", "6h", "1h30m", "2d"; ValueError otherwise."""
    if isinstance(value, bool):
        raise ValueError(f'expected seconds or a duration like "6h", got {value!r}')
    if isinstance(value, int | float):
        if value < 0:
            raise ValueError(f"expected a duration >= 0, got {value!r}")
        return float(value)
    if isinstance(value, str):
        text = value.strip()
        if re.fullmatch(r"\d+(?:\.\d+)?", text):
            return float(text)
        if DURATION.match(text):
            return _seconds(text)
    raise ValueError(f'expected seconds or a duration like "90s", "6h", "2d", got {value!r}')


def capped_jitter(jitter: float, period: float) -> float:
    """At most `jitter` seconds and at most a tenth of the period."""
    return max(0.0, min(jitter, period / 10))


def backoff_delay(period: float, failures: int, ceiling: float) -> float:
    """Seconds to wait after `failures` failures in a row: the period doubled per failure, capped
    at `ceiling` — but never less than the period itself."""
    if failures <= 0:
        return period
    return max(period, min(period * 2.0 ** min(failures, 32), ceiling))


def _seconds(text: str) -> float:
    return float(sum(float(n) * UNIT_SECONDS[unit.lower()] for n, unit in PART.findall(text)))


def _cron_fields(expr: str) -> dict[str, str]:
    minute, hour, day, month, day_of_week = expr.split()
    return {"minute": minute, "hour": hour, "day": day, "month": month, "day_of_week": day_of_week}
