"""The coordinator's daemon state: the rows `noticewatch status` reads, backoff after failures, domain
pauses after a challenge or ban page, and when each source is due — as the local daemon keeps them.

The tables are the daemon's own (monitor.daemon.state: `daemon`, `daemon_jobs`, `domain_pauses`), so
`status` shows a coordinator as it shows a daemon (pid, host, heartbeat; per source next run, failure
streak, pause), a restart resumes each source's due time, and a database cannot be run by a daemon
and a coordinator at once (the claim). monitor.cluster may not import monitor.daemon (sibling rooms,
pyproject's import contracts), so the CLI passes its state classes in as `DaemonParts`; the rules
(backoff_delay, schedules) come from monitor.schedule, which both rooms use.

Rules, as monitor.daemon.jobs: after n failures in a row (a run not completed, or one that met a
`blocked:` page) the next attempt waits min(period * 2**n, max(backoff_max, period)); a `blocked:`
problem pauses the source's registered domain for max(block_pause, that wait) and pushes back every
source on it; a due source whose domain is paused is postponed to the pause's end.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from crawler.domains import registered_domain
from monitor.config.loader import Config, Source
from monitor.schedule import Schedule, backoff_delay, parse_optional_schedule, parse_schedule

logger = logging.getLogger(__name__)

STALE_AFTER = 30.0  # seconds without a heartbeat after which a claimed database is free again


@dataclass(frozen=True)
class DaemonParts:
    """monitor.daemon.state's DaemonState, JobState and DaemonBusy, and the digest job, from the CLI."""

    state: Callable[[Any], Any]
    job_state: Callable[..., Any]
    busy: type[Exception]
    digest: Callable[[Config, Path], Awaitable[Any]] | None = None


class CoordinatorBusy(RuntimeError):
    """Another daemon or coordinator is alive on this database; one line naming it."""


def crawl_key(source: Source) -> str:
    return f"crawl:{source.id}"


class Pacer:
    def __init__(self, config: Config, db: Any, parts: DaemonParts):
        self.config = config
        self.parts = parts
        self.state = parts.state(db)
        self.defaults = config.defaults
        self.tz = ZoneInfo(config.defaults.timezone or "UTC")
        self.sources = {s.id: s for s in config.sources if s.enabled}
        self.schedules = {s.id: parse_schedule(s.schedule).spread(s.id, config.defaults.timezone, s.spread_schedule)
                          for s in self.sources.values()}
        self.domains = {s.id: registered_domain(s.start_urls[0]) for s in self.sources.values()}
        self.digest_schedule: Schedule | None = (
            parse_optional_schedule(config.defaults.digest_schedule) if parts.digest is not None else None)
        self.recheck_schedule: Schedule | None = parse_optional_schedule(config.defaults.recheck_schedule)

    # -- the claim on the database ------------------------------------------------------------
    def claim(self) -> None:
        try:
            self.state.claim(str(self.config.path) if self.config.path else None, stale_after=STALE_AFTER)
        except self.parts.busy as exc:
            raise CoordinatorBusy(str(exc)) from None

    def heartbeat(self) -> None:
        self.state.heartbeat()

    def release(self, reason: str) -> None:
        self.state.release(reason)

    # -- when a source is due -----------------------------------------------------------------
    def first_due(self, key: str, schedule: Schedule, now: datetime, source: Source | None = None) -> datetime:
        """Resume from the stored due time; else one period after the last run; never run: now."""
        stored = self.state.job(key)
        due: datetime | None = None
        if stored and stored.schedule == schedule.text and stored.next_due:
            due = stored.next_due
        elif source is not None:
            last = self.state.last_run(source.id)
            if last and last.get("started_at"):
                due = schedule.next_after(datetime.fromisoformat(last["started_at"]), self.tz)
        else:
            due = schedule.next_after(now, self.tz)  # digests: not at the first start
        due = max(due or now, now)
        if source is not None:
            pause = self.paused(source)
            if pause is not None:
                due = max(due, schedule.at_or_after(pause.until, self.tz))
        self.save(key, schedule, source, next_due=due)
        return due

    def paused(self, source: Source) -> Any:
        """The pause of the source's registered domain (monitor.daemon.state.Pause), if one is on."""
        return self.state.pauses(datetime.now(self.tz)).get(self.domains[source.id])

    def save(self, key: str, schedule: Schedule, source: Source | None, **changes: Any) -> None:
        base = self.state.job(key) or self.parts.job_state(key, source_id=source.id if source else None)
        self.state.save_job(replace(base, schedule=schedule.text, period=schedule.period(self.tz), **changes))

    # -- after a run --------------------------------------------------------------------------
    def finished(self, source_id: str, run: dict[str, Any], scheduled: datetime | None) -> dict[str, datetime]:
        """Record a source's finished run; returns the due times to set: {job key: due} (the source's
        own, and other sources on a domain it found blocked)."""
        source = self.sources.get(source_id)
        if source is None:
            return {}
        key, schedule = crawl_key(source), self.schedules[source_id]
        started = datetime.fromisoformat(run["started_at"])
        finished = datetime.fromisoformat(run["finished_at"]) if run.get("finished_at") else started
        problems = [str(p) for p in json.loads(run.get("problems") or "[]")]
        blocked = next((p for p in problems if p.startswith("blocked:")), None)
        failed = run["status"] != "completed" or blocked is not None
        previous = self.state.job(key)
        failures = (previous.consecutive_failures if previous else 0) + 1 if failed else 0
        period = schedule.period(self.tz)
        due = scheduled or schedule.next_after(started, self.tz)
        wait = backoff_delay(period, failures, max(self.defaults.backoff_max, period))
        if failed:
            due = max(due, schedule.at_or_after(finished + timedelta(seconds=wait), self.tz))
        dues = {}
        if blocked:
            until = finished + timedelta(seconds=max(self.defaults.block_pause, wait))
            dues = self.block(source, until, blocked)
            due = max(due, schedule.at_or_after(until, self.tz))
        error = problems[0] if failed and problems else None
        self.save(key, schedule, source, next_due=due, last_started=started, last_finished=finished,
                  last_status=run["status"], last_run_id=run["id"], consecutive_failures=failures, last_error=error)
        level = logging.WARNING if failed else logging.INFO
        logger.log(level, "%s: %s (%d new, %d changed%s); next run %s", key, run["status"], run.get("new") or 0,
                   run.get("changed") or 0, f", {failures} failure(s) in a row: {error}" if failed else "",
                   due.astimezone(self.tz).isoformat(timespec="seconds"))
        return {**dues, key: due}

    def block(self, source: Source, until: datetime, reason: str) -> dict[str, datetime]:
        """Pause the source's registered domain until `until`; returns the pushed-back due times."""
        domain = self.domains[source.id]
        self.state.pause(domain, until, source.id, reason)
        logger.warning("%s: %s served a challenge or ban page (%s); leaving it alone until %s", source.id, domain,
                       reason, until.astimezone(self.tz).isoformat(timespec="seconds"))
        dues = {}
        for other in self.sources.values():
            if other.id != source.id and self.domains[other.id] == domain:
                due = self.schedules[other.id].at_or_after(until, self.tz)
                self.save(crawl_key(other), self.schedules[other.id], other, next_due=due)
                dues[crawl_key(other)] = due
        return dues

    def postponed(self, source: Source, until: datetime) -> datetime:
        due = self.schedules[source.id].at_or_after(until, self.tz)
        self.save(crawl_key(source), self.schedules[source.id], source, next_due=due)
        return due

    def ran(self, key: str, schedule: Schedule, started: datetime, status: str, error: str | None,
            due: datetime) -> None:
        """A job the coordinator runs itself (the digest): its outcome, for `status`."""
        previous = self.state.job(key)
        failures = 0 if status == "completed" else (previous.consecutive_failures if previous else 0) + 1
        self.save(key, schedule, None, next_due=due, last_started=started, last_finished=datetime.now(self.tz),
                  last_status=status, consecutive_failures=failures, last_error=error)
