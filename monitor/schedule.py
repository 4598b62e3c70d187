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

import functools
import hashlib
import re
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Any

INTERVAL = re.compile(r"^every\s+(?P<parts>(?:\d+(?:\.\d+)?\s*[smhd]\s*)+)$", re.I)
DURATION = re.compile(r"^(?:\d+(?:\.\d+)?\s*[smhd]\s*)+$", re.I)
PART = re.compile(r"(\d+(?:\.\d+)?)\s*([smhd])", re.I)
UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
OFF = ("off", "never", "none")
CRON_SPREAD = 3600.0  # seconds: how far `spread` may move a cron line's runs by default
SYNTAX = 'a cron line like "0 */6 * * *" or an interval like "every 6h", "every 90s", "every 1h30m"'


@dataclass(frozen=True)
class Schedule:
    text: str
    cron: str | None = None
    interval: float | None = None  # seconds
    # Seconds into each period (`spread`): a cron line's runs shifted by it; an interval's runs on
    # the grid epoch + offset + k * interval. None: cron runs on the line, intervals count from a start.
    offset: float | None = None

    def spread(self, key: str, timezone: tzinfo | str = "UTC", window: bool | float = True) -> Schedule:
        """This schedule shifted by a stable offset derived from `key` (a source id): a fleet on one
        schedule runs spread out, not all at minute 0. The same key gives the same offset after a
        restart and on every machine (a hash, not random). The offset falls within the shortest
        gap between runs and within `window`: True spreads an interval over its whole period and a
        cron line over at most CRON_SPREAD (a daily "0 9 * * *" runs between 9:00 and 10:00, not
        any time of the day); a number of seconds caps both; False (or 0) does not spread."""
        if window is False or window == 0:
            return replace(self, offset=None)
        gap = self.interval if self.interval is not None else self._gaps(timezone)[0]
        if window is True:
            window = gap if self.interval is not None else CRON_SPREAD
        return replace(self, offset=stable_fraction(key) * min(gap, float(window)))

    def trigger(
        self, jitter: float = 0.0, timezone: tzinfo | str = "UTC", start: datetime | None = None
    ) -> Any:
        """The APScheduler trigger, with jitter capped to a tenth of the period."""
        from apscheduler.triggers.cron import CronTrigger
        from apscheduler.triggers.interval import IntervalTrigger

        jitter = capped_jitter(jitter, self.period(timezone))
        if self.cron is not None:
            # from_crontab takes no jitter; it only splits the five fields, as here.
            cron = CronTrigger(**_cron_fields(self.cron), timezone=timezone, jitter=jitter or None)
            return _shifted_trigger_class()(cron, self.offset) if self.offset else cron
        assert self.interval is not None
        if self.offset is not None:
            start = self.at_or_after(start or datetime.now(UTC), timezone)
        return IntervalTrigger(
            seconds=self.interval, timezone=timezone, start_date=start, jitter=jitter or None
        )

    def period(self, timezone: tzinfo | str = "UTC", now: datetime | None = None) -> float:
        """Seconds between regular runs; for cron, the longest gap among the next few runs
        (a weekday-only schedule has a weekend gap)."""
        if self.interval is not None:
            return self.interval
        return self._gaps(timezone, now)[-1]

    def _gaps(self, timezone: tzinfo | str = "UTC", now: datetime | None = None) -> list[float]:
        """A cron line's gaps between its next few runs, shortest first."""
        from apscheduler.triggers.cron import CronTrigger

        trigger = CronTrigger.from_crontab(self.cron, timezone=timezone)
        moment = now or datetime(2025, 1, 1, tzinfo=trigger.timezone)
        times = [trigger.get_next_fire_time(None, moment)]
        for _ in range(8):
            times.append(trigger.get_next_fire_time(times[-1], times[-1] + timedelta(seconds=1)))
        return sorted((b - a).total_seconds() for a, b in zip(times, times[1:], strict=False))

    def next_after(self, moment: datetime, timezone: tzinfo | str = "UTC") -> datetime:
        """The first regular run strictly after `moment` (an unspread interval counts from `moment`)."""
        if self.interval is not None and self.offset is None:
            return moment + timedelta(seconds=self.interval)
        return self.at_or_after(moment + timedelta(seconds=1), timezone)

    def at_or_after(self, moment: datetime, timezone: tzinfo | str = "UTC") -> datetime:
        """The first regular run at or after `moment` (any moment suits an unspread interval)."""
        if self.interval is not None:
            if self.offset is None:
                return moment
            since = moment.timestamp() - self.offset
            periods = -(-since // self.interval)  # ceiling: the grid point at or after `moment`
            return datetime.fromtimestamp(periods * self.interval + self.offset, moment.tzinfo or UTC)
        from apscheduler.triggers.cron import CronTrigger

        shift = timedelta(seconds=self.offset or 0)
        trigger = CronTrigger.from_crontab(self.cron, timezone=timezone)
        return trigger.get_next_fire_time(None, moment - shift) + shift


def stable_fraction(key: str) -> float:
    """A number in [0, 1) fixed by `key` (blake2b: the same on every run and machine, unlike hash())."""
    digest = hashlib.blake2b(key.encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "big") / 2**64


@functools.cache
def _shifted_trigger_class() -> type:
    """An APScheduler trigger firing `offset` seconds after each of another trigger's times
    (APScheduler takes only BaseTrigger subclasses; imported here, not at start-up)."""
    from apscheduler.triggers.base import BaseTrigger

    class ShiftedTrigger(BaseTrigger):
        def __init__(self, base: Any, offset: float):
            self.base, self.shift = base, timedelta(seconds=offset)

        def get_next_fire_time(self, previous_fire_time: datetime | None, now: datetime) -> datetime | None:
            previous = previous_fire_time - self.shift if previous_fire_time else None
            fire = self.base.get_next_fire_time(previous, now - self.shift)
            return fire + self.shift if fire is not None else None

        def __str__(self) -> str:
            return f"{self.base} + {self.shift}"

    return ShiftedTrigger


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
