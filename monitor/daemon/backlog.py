"""The daemon's backlog: how many crawls wait for a slot (monitor.crawl.slots), said in the log and
saved for `noticewatch status`.

A backlog builds up when more sources fall due than `defaults.max_concurrent_sources` can crawl
in time: then the oldest waiting source has waited longer than BACKLOG_AFTER, or longer than the
shortest period among the scheduled sources when that is shorter (its next run would fall due
while it still waits, and APScheduler skips a run that overlaps). One warning line when a backlog
starts, one info line when it has cleared (the oldest wait back under half the threshold, so a
wait hovering at the threshold does not flap).

`BacklogWatch.check` runs on the daemon's heartbeat (every few seconds) and says when the figures
are worth a write: when they changed, or SAVE_EVERY seconds after the last write — one small
UPDATE at most per heartbeat, none per job.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from monitor.crawl.slots import Backlog

log = logging.getLogger("monitor.daemon.lifecycle")  # the daemon's one logger name

BACKLOG_AFTER = 600.0  # seconds the oldest waiting source may wait before it is a backlog
SAVE_EVERY = 30.0  # seconds: figures unchanged are still re-saved this often (the oldest wait grows)


def backlog_threshold(periods: list[float]) -> float:
    """BACKLOG_AFTER, or the shortest scheduled period when that is shorter."""
    return min([BACKLOG_AFTER, *(p for p in periods if p > 0)])


class BacklogWatch:
    def __init__(self, threshold: float):
        self.threshold = threshold
        self.since: datetime | None = None  # when the current backlog started; None: no backlog
        self._saved: tuple[int, int, datetime | None] | None = None
        self._saved_at: datetime | None = None

    def check(self, backlog: Backlog, now: datetime) -> bool:
        """Note `backlog` as of `now`: log a backlog's start and end; True when it should be saved."""
        if self.since is None and backlog.queued and backlog.oldest_wait > self.threshold:
            self.since = now - timedelta(seconds=backlog.oldest_wait - self.threshold)
            log.warning(
                "backlog: %d source(s) waiting for a crawl slot, the oldest for %.0f s (%d/%d in flight); "
                "raise defaults.max_concurrent_sources or give the sources longer schedules",
                backlog.queued, backlog.oldest_wait, backlog.in_flight, backlog.limit,
            )
        elif self.since is not None and backlog.oldest_wait < self.threshold / 2:
            log.info("backlog cleared after %.0f s (%d source(s) waiting)",
                     (now - self.since).total_seconds(), backlog.queued)
            self.since = None
        figures = (backlog.in_flight, backlog.queued, self.since)
        due = self._saved_at is None or (now - self._saved_at).total_seconds() >= SAVE_EVERY
        if figures != self._saved or due:
            self._saved, self._saved_at = figures, now
            return True
        return False
