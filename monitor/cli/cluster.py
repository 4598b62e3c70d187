"""`noticewatch worker`, and the cluster side of `daemon --redis` and `status` (monitor/cluster/).

Registered by `register(cli)` like the other command modules; monitor/cli/daemon.py calls
`run_coordinator_command` and `cluster_lines` when a Redis URL is given or configured.
"""

from __future__ import annotations

import logging
import time
from typing import Any

import click


def redis_url(option: str | None, config: Any) -> str | None:
    """--redis, else the config's `cluster.redis`."""
    if option:
        if not option.startswith(("redis://", "rediss://", "unix://")):
            raise click.BadParameter(f"expected a URL like redis://host:6379/0, got {option[:60]!r}", param_hint="--redis")
        return option
    cluster = getattr(config, "cluster", None) if config is not None else None
    return cluster.redis if cluster is not None else None


def register(cli: click.Group) -> None:
    if "worker" in cli.commands:
        return
    from monitor.cli.main import Context, UserError, common_options

    @cli.command()
    @click.option("--redis", "redis_option", metavar="URL", default=None,
                  help="The cluster's Redis (default: the config's cluster.redis).")
    @click.option("--burst", is_flag=True, help="Stop once the queue is empty.")
    @common_options
    def worker(ctx: Context, redis_option: str | None, burst: bool) -> None:
        """Crawl sources handed out by `noticewatch daemon --redis URL`, on any machine.

        Same spiders and politeness as a local crawl; needs the config (for the sources' kinds and
        politeness) but no database: items go back to the coordinator through Redis. One request at a
        time per registered domain across the whole cluster (a lease per domain in Redis). SIGINT or
        SIGTERM stops it: a crawl in progress is dropped and handed out again once its lease expires.

        \b
        Examples:
          noticewatch worker --redis redis://10.0.0.5:6379/0 --config config.yaml
          noticewatch worker --burst     # cluster.redis from the config; stop when the queue is empty
        """
        from monitor.cluster.worker import WorkerOptions, run_worker

        config = ctx.config()
        url = redis_url(redis_option, config)
        if not url:
            raise UserError(f"{config.path}: no Redis to work for: pass --redis URL or set cluster.redis")
        configure_worker_logging(debug=logging.getLogger().level <= logging.DEBUG)
        cluster = config.cluster
        run_worker(config, WorkerOptions(url, job_timeout=cluster.job_timeout, lease_ttl=cluster.lease_ttl,
                                         challenge_pause=config.defaults.block_pause, burst=burst))


def configure_worker_logging(debug: bool = False) -> None:
    """Timestamped lines on stderr, as the daemon's (monitor/cli/daemon.py: not imported, it imports this)."""
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.DEBUG if debug else logging.INFO)
    for name in ("scrapy", "twisted", "filelock", "apscheduler", "arq", "httpx", "httpcore"):
        logging.getLogger(name).setLevel(logging.DEBUG if debug else logging.WARNING)


def run_coordinator_command(config: Any, db_path: Any, url: str, once: bool) -> None:
    """The coordinator, with the daemon's state rows (status), backoff, pauses and digest job: the
    CLI hands monitor.daemon's state classes to monitor.cluster, which may not import that room."""
    from monitor.cli.main import UserError
    from monitor.cluster.coordinator import CoordinatorOptions, run_coordinator
    from monitor.cluster.pacing import CoordinatorBusy, DaemonParts
    from monitor.daemon.state import DaemonBusy, DaemonState, JobState
    from monitor.digest.run import scheduled_digest

    parts = DaemonParts(state=DaemonState, job_state=JobState, busy=DaemonBusy, digest=scheduled_digest)
    try:
        run_coordinator(config, str(db_path), CoordinatorOptions(url, once=once), parts)
    except CoordinatorBusy as exc:
        raise UserError(f"{db_path}: {exc}") from None


def cluster_lines(url: str) -> list[str]:
    """Workers (where, since when, last job, jobs done, failures) and the queue's depth, for `status`."""
    from monitor.cluster.registry import read_status

    try:
        status = read_status(url)
    except (ConnectionError, OSError) as exc:
        return [f"cluster: redis at {url} unreachable ({exc})"]
    except Exception as exc:  # noqa: BLE001 - redis-py's own errors: one line, status goes on
        return [f"cluster: redis at {url}: {type(exc).__name__}: {exc}"]
    now = time.time()
    lines = [f"cluster: {status.queued} job(s) queued, {status.unapplied} outcome(s) not yet stored, "
             f"{sum(w.alive(now) for w in status.workers)} worker(s) alive"]
    for w in status.workers:
        since = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(w.since))
        state = f"crawling {w.current}" if w.current else "idle"
        if not w.alive(now):
            state = f"gone (last seen {int(now - w.seen)} s ago)"
        lines.append(f"  worker {w.worker_id} on {w.host}: since {since} UTC, {state}, last job "
                     f"{w.last_job or '-'}, {w.jobs_done} done, {w.failures} failed")
    return lines
