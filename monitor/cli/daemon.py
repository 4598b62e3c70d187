"""`noticewatch daemon` and `noticewatch status`, added to the CLI group by `register(cli)`.

monitor/cli/main.py imports this module when one of the two commands runs. The import of monitor.cli.main
happens inside `register`, so either module may be imported first without a circular-import error;
`register` is idempotent. `status` must start fast (it is run from scripts and other shells while
the daemon works): it imports no Scrapy, no store, and rich only for the terminal table.
"""

from __future__ import annotations

import logging
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

import click

LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def register(cli: click.Group) -> None:
    """Add the `daemon` and `status` commands to `cli` (once)."""
    if "daemon" in cli.commands:
        return
    from monitor.cli.main import Context, UserError, common_options, console

    @cli.command()
    @click.option(
        "--log-file",
        type=click.Path(dir_okay=False, path_type=Path),
        default=None,
        help="Also append the log to this file (reopened if rotated away).",
    )
    @click.option("--redis", "redis_option", metavar="URL", default=None,
                  help="Coordinate a cluster: hand crawls to `noticewatch worker`s through this Redis "
                       "(default: the config's cluster.redis; none: crawl here).")
    @click.option("--once", is_flag=True, help="With --redis: queue every enabled source now, exit when all are stored.")
    @common_options
    def daemon(ctx: Context, log_file: Path | None, redis_option: str | None, once: bool) -> None:
        """Run in the foreground: crawl every enabled source on its schedule, re-check on `recheck_schedule`.

        Logs to stderr (and --log-file). SIGTERM or Ctrl-C stops it cleanly: running crawls close within
        `stop_timeout` seconds and their runs are recorded as aborted; a second signal exits at once.
        A restart resumes each source's schedule from the database. Schedules are per source
        (`schedule:`, default `defaults.schedule`): a cron line ("0 */6 * * *") or "every 6h".

        \b
        Examples:
          noticewatch daemon --config config.yaml --db noticewatch.db
          noticewatch daemon -v --log-file /var/log/noticewatch/daemon.log
          noticewatch status          # from another shell
          noticewatch daemon --redis redis://10.0.0.5:6379/0   # coordinator; see docs/scale-out.md
        """
        from monitor.daemon.lifecycle import DaemonError, run_daemon
        from monitor.digest.run import scheduled_digest

        config = ctx.config()
        verbose = logging.getLogger().level <= logging.INFO
        configure_daemon_logging(log_file, debug=logging.getLogger().level <= logging.DEBUG)
        if not any(s.enabled for s in config.sources):
            raise UserError(f"{config.path}: no enabled sources to schedule")
        from monitor.cli.cluster import redis_url, run_coordinator_command

        url = redis_url(redis_option, config)
        if url:
            run_coordinator_command(config, ctx.db_path(), url, once)
            return
        if once:
            raise UserError("--once needs --redis URL (or cluster.redis in the config)")
        try:
            code = run_daemon(
                config, ctx.db_path(), digest=scheduled_digest, log_level="INFO" if verbose else "WARNING"
            )
        except DaemonError as exc:
            raise UserError(str(exc)) from None
        sys.exit(code)

    @cli.command()
    @click.option("--json", "as_json", is_flag=True, help="Print the status as JSON.")
    @click.option("--redis", "redis_option", metavar="URL", default=None,
                  help="Also show the cluster's workers and queue (default: the config's cluster.redis).")
    @common_options
    def status(ctx: Context, as_json: bool, redis_option: str | None) -> None:
        """Per source: last run and its result, next run, health and counts; and whether the daemon runs.

        Health is ok, failing (last crawls failed), blocked (challenge or ban page; domain paused),
        silent (no crawl for over twice its schedule), pending (never crawled) or disabled. Safe to run
        while the daemon writes: the database is opened read-only.

        \b
        Examples:
          noticewatch status
          noticewatch status --json --db noticewatch.db
        """
        from monitor.daemon.status import StatusError, read_status

        path = ctx.db_path()
        try:
            report = read_status(path, ctx.config_if_present(full_check=False))
        except StatusError as exc:
            raise UserError(str(exc)) from None
        if as_json:
            click.echo(report.to_json())
            return
        console().print(daemon_line(report))
        slots = slots_line(report)
        if slots:
            console().print(slots, style="bold yellow" if report.daemon.backlog else "", markup=False, highlight=False)
        console().print(status_table(report))
        from monitor.cli.cluster import cluster_lines, redis_url

        url = redis_url(redis_option, ctx.config_if_present(full_check=False))
        for line in cluster_lines(url) if url else []:
            console().print(line, markup=False, highlight=False)


def configure_daemon_logging(log_file: Path | None, debug: bool = False) -> None:
    """One log configuration for months of running: plain timestamped lines on stderr (and a file).

    Replaces the CLI's handler; Scrapy's root handler stays off (LOG_INSTALL_ROOT_HANDLER = False).
    """
    from logging.handlers import WatchedFileHandler

    formatter = logging.Formatter(LOG_FORMAT)
    handlers: list[logging.Handler] = [logging.StreamHandler(sys.stderr)]
    if log_file is not None:
        log_file.parent.mkdir(parents=True, exist_ok=True)
        handlers.append(WatchedFileHandler(log_file, encoding="utf-8"))  # logrotate-friendly
    root = logging.getLogger()
    for handler in root.handlers:
        handler.close()
    for handler in handlers:
        handler.setFormatter(formatter)
    root.handlers[:] = handlers
    root.setLevel(logging.DEBUG if debug else logging.INFO)
    # The daemon's own lines at INFO; Scrapy, Twisted and APScheduler only warn (e.g. a skipped
    # overlapping run) unless -vv.
    for name in ("scrapy", "twisted", "filelock", "apscheduler", "httpx", "httpcore"):
        logging.getLogger(name).setLevel(logging.DEBUG if debug else logging.WARNING)


def daemon_line(report: Any) -> str:
    daemon = report.daemon
    if daemon is None:
        return "daemon: never started on this database"
    if daemon.running:
        return (
            f"daemon: running, pid {daemon.pid} on {daemon.host}, since {daemon.started_at}, "
            f"heartbeat {ago(daemon.heartbeat_at, report.checked_at)}"
        )
    if daemon.stopped_at:
        return f"daemon: not running (stopped {daemon.stopped_at}: {daemon.stop_reason})"
    return f"daemon: not running (pid {daemon.pid} last seen {ago(daemon.heartbeat_at, report.checked_at)})"


def slots_line(report: Any) -> str | None:
    """'crawls: in flight 32/32, queued 1,204, oldest waiting 25m — BACKLOG since …' while the daemon runs."""
    from monitor.daemon.status import human_seconds

    daemon = report.daemon
    if daemon is None or not daemon.running or daemon.slot_limit is None:
        return None
    line = f"crawls: in flight {daemon.in_flight}/{daemon.slot_limit}, queued {daemon.queued:,}"
    if daemon.queued:
        line += f", oldest waiting {human_seconds(daemon.oldest_wait or 0)}"
    if daemon.backlog:
        line += (f" — BACKLOG since {ago(daemon.backlog_since, report.checked_at)}: more sources fall due than "
                 "max_concurrent_sources can crawl in time")
    return line


HEALTH_STYLE = {
    "ok": "green",
    "failing": "red",
    "blocked": "red",
    "silent": "yellow",
    "pending": "cyan",
    "disabled": "dim",
}


def status_table(report: Any) -> Any:
    from rich.table import Table

    table = Table(title=f"{len(report.sources)} source(s)", title_justify="left")
    for column in (
        "source",
        "health",
        "last run",
        "result",
        "next run",
        "notices",
        "removed",
        "last new/chg",
        "runs (failed)",
        "note",
    ):
        table.add_column(
            column,
            no_wrap=column not in ("note",),
            justify="right" if column in ("notices", "removed", "runs (failed)") else "left",
        )
    for s in report.sources:
        style = HEALTH_STYLE.get(s.health, "")
        table.add_row(
            s.id,
            f"[{style}]{s.health}[/]" if style else s.health,
            ago(s.last_started, report.checked_at),
            s.last_status or "-",
            until(s.next_due, report.checked_at, report.daemon),
            str(s.notices),
            str(s.removed),
            f"{s.last_new}/{s.last_changed}",
            f"{s.runs} ({s.failed_runs})",
            s.reason or "",
        )
    return table


def ago(iso_time: str | None, now_iso: str) -> str:
    from monitor.daemon.status import human_seconds

    if not iso_time:
        return "-"
    seconds = (datetime.fromisoformat(now_iso) - datetime.fromisoformat(iso_time)).total_seconds()
    return f"{human_seconds(seconds)} ago" if seconds >= 0 else f"in {human_seconds(seconds)}"


def until(iso_time: str | None, now_iso: str, daemon: Any) -> str:
    from monitor.daemon.status import human_seconds

    if not iso_time:
        return "-"
    seconds = (datetime.fromisoformat(iso_time) - datetime.fromisoformat(now_iso)).total_seconds()
    text = f"in {human_seconds(seconds)}" if seconds > 0 else "due now"
    return text if daemon is not None and daemon.running else f"{text} (daemon not running)"


def main() -> None:
    """`python -m monitor` with these commands registered, whether or not cli.py registers them yet."""
    from monitor.cli.main import cli
    from monitor.cli.main import main as cli_main

    register(cli)
    cli_main()
