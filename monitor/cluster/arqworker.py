"""arq's Worker with a short job lease: a dead worker's job is taken again within seconds, a live one's never.

arq marks a job it runs with `arq:in-progress:<job id>` (SET PX) and leaves the job in the queue's
sorted set until it ends; another worker skips a job while that key exists. arq sets the key's
lifetime once, to the job timeout + 10 s, and never renews it (arq 0.28 worker.start_jobs), so a
worker killed -9 holds its job for that long (15 min by default) — and shortening the job timeout
instead would cancel long crawls.

`LeasedWorker` keeps arq's protocol and changes only the key's lifetime: `job_lease` seconds (arq
reads `in_progress_timeout_s` when it starts a job), renewed by the worker's LeaseKeeper thread
(monitor.cluster.keeper) while the job runs. A worker killed -9 stops renewing, the key expires, and
the next poll of any worker takes the job (arq's `job_try` goes up). A live crawl, however slow, is
renewed and never handed out twice; the job's own timeout stays as configured.
"""

from __future__ import annotations

from typing import Any

from arq.constants import in_progress_key_prefix
from arq.worker import Worker

from monitor.cluster.keeper import LeaseKeeper


class LeasedWorker(Worker):  # type: ignore[misc]  # arq's classes are untyped for subclassing
    def __init__(self, *args: Any, keeper: LeaseKeeper, job_lease: float, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.keeper = keeper
        self.job_lease = job_lease
        # arq's start_jobs sets the in-progress key with this lifetime (its default: job timeout + 10 s).
        self.in_progress_timeout_s = job_lease

    async def run_job(self, job_id: str, score: int) -> None:
        # start_jobs has just set the key; renewed until arq's run_job returns (it deletes the key
        # when the job ends; a renewal after that is a no-op: PEXPIRE does not create keys).
        key = in_progress_key_prefix + job_id
        self.keeper.hold(key, self.job_lease)
        try:
            await super().run_job(job_id, score)
        finally:
            self.keeper.drop(key)

    def running(self) -> list[str]:
        """Ids of the jobs whose task is still running here (arq drops finished ones at its next poll)."""
        return [job_id for job_id, task in self.tasks.items() if not task.done()]
