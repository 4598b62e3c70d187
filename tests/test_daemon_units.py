"""The daemon's arithmetic and judgements, without processes: schedules, backoff, jitter, health."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from monitor.daemon.jobs import DaemonSettings, Outcome
from monitor.daemon.status import assess_health, failure_streak, human_seconds
from monitor.schedule import (
    backoff_delay,
    capped_jitter,
    parse_duration,
    parse_optional_schedule,
    parse_schedule,
)

NOW = datetime(2025, 3, 3, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    "text, interval, cron",
    [
        ("every 90s", 90, None),
        ("every 6h", 21600, None),
        ("every 2d", 172800, None),
        ("every 1h30m", 5400, None),
        ("Every  5 m", 300, None),
        ("every 0.5s", 0.5, None),
        ("0 */6 * * *", None, "0 */6 * * *"),
        ("30 2 * * mon-fri", None, "30 2 * * mon-fri"),
    ],
)
def test_parse_schedule(text: str, interval: float | None, cron: str | None) -> None:
    schedule = parse_schedule(text)
    assert schedule.interval == interval and schedule.cron == cron


@pytest.mark.parametrize(
    "text, message",
    [
        ("every 0s", "longer than 0"),
        ("every 5x", "units s, m, h, d"),
        ("every", "not a cron expression or an interval"),
        ("hourly", "is not a cron line"),
        ("0 */6 * *", "Wrong number of fields"),
        ("", "expected a cron line"),
    ],
)
def test_bad_schedules_say_what_is_valid(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_schedule(text)


def test_off_schedules_and_durations() -> None:
    assert parse_optional_schedule("off") is None and parse_optional_schedule(None) is None
    assert parse_optional_schedule("every 1d").interval == 86400
    assert parse_duration(30) == 30 and parse_duration("6h") == 21600 and parse_duration("1h30m") == 5400
    assert parse_duration("45") == 45
    for bad in (-1, "soon", True, "6 hours"):
        with pytest.raises(ValueError):
            parse_duration(bad)


def test_periods_and_next_runs() -> None:
    assert parse_schedule("0 */6 * * *").period() == 21600
    assert parse_schedule("0 9 * * mon-fri").period() == 3 * 86400  # the weekend gap
    every = parse_schedule("every 90s")
    assert every.next_after(NOW) == NOW + timedelta(seconds=90)
    cron = parse_schedule("0 */6 * * *")
    assert cron.next_after(NOW) == NOW + timedelta(hours=6)  # strictly after a run at 12:00
    assert cron.at_or_after(NOW) == NOW
    assert cron.at_or_after(NOW + timedelta(minutes=1)) == NOW + timedelta(hours=6)


def test_jitter_is_capped_at_a_tenth_of_the_period() -> None:
    assert capped_jitter(60, 2) == pytest.approx(0.2)
    assert capped_jitter(60, 21600) == 60
    assert capped_jitter(0, 21600) == 0


def test_backoff_doubles_up_to_the_ceiling_and_never_goes_below_the_period() -> None:
    assert [backoff_delay(60, n, 600) for n in range(6)] == [60, 120, 240, 480, 600, 600]
    assert backoff_delay(86400, 3, 3600) == 86400  # a daily source is never retried sooner than daily
    assert backoff_delay(1, 1000, 30) == 30


def test_settings_read_defaults_and_fall_back() -> None:
    class Old:  # a config.py without the daemon keys
        schedule = "0 */6 * * *"

    class New:
        jitter = 0
        backoff_max = "2h"
        recheck_schedule = "off"
        timezone = "Asia/Shanghai"

    assert DaemonSettings.from_defaults(Old()).jitter == 60
    assert DaemonSettings.from_defaults(Old()).recheck_schedule.interval == 86400
    new = DaemonSettings.from_defaults(New())
    assert (new.jitter, new.backoff_max, new.recheck_schedule, new.timezone) == (
        0,
        7200,
        None,
        "Asia/Shanghai",
    )


def test_blocked_outcomes() -> None:
    outcome = Outcome("failed", problems=("list_failed: HTTP 503 (u)", "blocked: captcha page (u)"))
    assert outcome.blocked == "blocked: captcha page (u)"
    assert Outcome("completed").blocked is None


def run(status: str, minutes_ago: float = 1, problems: str = "[]") -> dict:
    return {
        "status": status,
        "started_at": (NOW - timedelta(minutes=minutes_ago)).isoformat(),
        "problems": problems,
    }


@pytest.mark.parametrize(
    "kwargs, health",
    [
        ({"enabled": False}, "disabled"),
        ({"last_run": None}, "pending"),
        ({}, "ok"),
        ({"failures": 2, "last_run": run("failed", problems='["list_failed: HTTP 503 (u)"]')}, "failing"),
        ({"blocked": "blocked: captcha page (u)"}, "blocked"),
        ({"paused_until": NOW + timedelta(hours=1)}, "blocked"),
        ({"paused_until": NOW - timedelta(hours=1)}, "ok"),
        ({"last_run": run("completed", minutes_ago=13 * 60)}, "silent"),
        ({"last_run": run("completed", minutes_ago=11 * 60)}, "ok"),
        ({"period": None, "last_run": run("completed", minutes_ago=10**6)}, "ok"),
    ],
)
def test_health(kwargs: dict, health: str) -> None:
    args = {
        "enabled": True,
        "last_run": run("completed"),
        "failures": 0,
        "blocked": None,
        "paused_until": None,
        "period": 6 * 3600.0,
        "now": NOW,
        **kwargs,
    }
    got, reason = assess_health(**args)
    assert got == health
    if health == "failing":
        assert reason == "2 failed run(s) in a row: list_failed: HTTP 503 (u)"


def test_failure_streak_skips_interrupted_runs() -> None:
    newest_first = [
        run("running"),
        run("failed"),
        run("aborted"),
        run("failed"),
        run("completed"),
        run("failed"),
    ]
    assert failure_streak(newest_first) == 2
    assert failure_streak([run("completed"), run("failed")]) == 0
    assert failure_streak([]) == 0


def test_human_seconds() -> None:
    assert [human_seconds(s) for s in (5, 90, 3600, 5400, 172800)] == ["5s", "1.5m", "1h", "1.5h", "2d"]
