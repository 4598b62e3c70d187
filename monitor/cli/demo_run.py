"""The offline demo: replica portal on loopback → real spider → SQLite → what is open now, and what changed.

The replica's recent notices have windows set relative to today in China (replica/headline.py: some
open, one closing within three days, some closed). After the first crawl the demo stages the portal's
changes — a window extended, a notice withdrawn while open, a new notice — then crawls again and
re-checks, so the second pass finds all three. Withdrawal is declared after `removal_after_failures`
failed fetches in a row; the demo's config sets it to 1 (the default, 3, would need three re-checks).
"""

from __future__ import annotations

import threading
from datetime import date
from pathlib import Path
from typing import Any

from rich.console import Console

from monitor.config.loader import Config, parse_config
from monitor.store.db import Store
from monitor.window import china_today

DEMO_DB = Path("noticewatch-demo.db")
DEMO_REMOVAL_AFTER = 1


class DemoError(RuntimeError):
    pass


def demo_db_path(db_arg: Path | None) -> Path:
    """The demo writes a fresh DB: its own default file is recreated; --db must be a new file."""
    if db_arg is None:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{DEMO_DB}{suffix}").unlink(missing_ok=True)
        return DEMO_DB
    if db_arg.exists():
        raise DemoError(f"{db_arg}: already exists; the demo writes a fresh database, give a new path")
    return db_arg


def demo_config(server: object) -> Config:
    return parse_config(
        {
            "defaults": {"max_pages": 10, "removal_after_failures": DEMO_REMOVAL_AFTER},
            "sources": [
                {"id": f"demo_{site.id}", "name": f"{site.site_name} · {site.column_name}", "kind": "nfcms",
                 "start_urls": [server.url(site.list_url(1))]}  # type: ignore[attr-defined]
                for site in server.sites  # type: ignore[attr-defined]
            ],
        },
        None,
    )


def run_demo(db_arg: Path | None, console: Console, err_console: Console, serve: bool = False) -> None:
    from monitor.crawl.runner import run_reactor
    from replica.server import ReplicaServer
    from replica.sites import build_demo_sites

    db_path = demo_db_path(db_arg)
    today = china_today()
    with ReplicaServer(build_demo_sites(today)) as server:
        err_console.print(f"replica portal on [bold]{server.base_url}[/] ({len(server.sites)} columns); "
                          f"today in China: {today}")
        config = demo_config(server)
        Store(db_path).close()  # create/migrate now: a bad --db fails before any request is sent
        # One reactor run for both crawls and the re-check: Twisted's reactor cannot be restarted.
        baseline, rechecked = run_reactor(lambda: two_passes(config, db_path, server, today, console, err_console))
        show_headline(db_path, baseline, console, rechecked)
        if serve:
            err_console.print(f"replica still serving on {server.base_url}; Ctrl-C to stop")
            threading.Event().wait()  # the server thread keeps serving until Ctrl-C


async def two_passes(config: Config, db_path: Path, server: Any, today: date, console: Console,
                     err_console: Console) -> tuple[int, list]:
    """Crawl; stage the portal's changes; crawl and re-check. Returns the last event id of the first
    pass and the re-check results."""
    from monitor.cli.display import crawl_summary, print_problems
    from monitor.crawl.recheck import recheck
    from monitor.crawl.runner import crawl_settings, crawl_sources
    from monitor.shutdown import SHUTDOWN
    from replica.headline import apply_changes

    specs = [s.spec() for s in config.sources]
    settings = crawl_settings(config.defaults, db_path)
    err_console.print("first crawl…")
    first = await crawl_sources(specs, settings)
    SHUTDOWN.check("demo stopped during the first crawl; what it fetched is stored, its runs aborted")
    with Store(db_path) as store:
        baseline = max((e.id for e in store.events()), default=0)
        console.print(f"first crawl: {store.count('notices')} notices stored in {db_path}")
    print_problems(console, first)
    console.print("\n[bold]The portal changes[/] (replica/headline.py):")
    for change in apply_changes(server.sites, today):
        console.print(f"  demo_{change.site_id} post {change.post_id}: {change.what}", highlight=False)
    err_console.print("second crawl and re-check…")
    second = await crawl_sources(specs, settings)
    SHUTDOWN.check("demo stopped during the second crawl; what it fetched is stored, its runs aborted")
    with Store(db_path, removal_after=config.defaults.removal_after_failures) as store:
        rechecked = await recheck(config, list(config.sources), store)
    console.print(crawl_summary(second))
    print_problems(console, second)
    return baseline, rechecked


def show_headline(db_path: Path, baseline: int, console: Console, rechecked: list) -> None:
    """What is open now, the events of the second pass, and how to read it all in a browser."""
    from monitor.cli.display import events_table, notices_table

    today = china_today()
    with Store(db_path) as store:
        total = store.count("notices")
        open_now = store.notices(status="active", open_on=today)
        events = [e for e in store.events() if e.id > baseline]
    console.print(notices_table(open_now, today, title=f"Open for comment now ({today} in China): "
                                                       f"{len(open_now)} of {total} notices stored in {db_path}",
                                width=console.width))
    console.print(events_table(events, width=console.width))
    problems = [line for r in rechecked for line in r.problems]
    for line in problems:
        console.print(f"  re-check: {line}", style="yellow", markup=False)
    console.print(
        f"Next: [bold]noticewatch serve --db {db_path}[/] (a browser reader on 127.0.0.1) · "
        f"[bold]noticewatch notices list --open --db {db_path}[/] · "
        f"[bold]noticewatch events --db {db_path}[/]"
    )


def serve_replica(host: str, port: int, console: Console) -> None:
    from replica.server import ReplicaServer
    from replica.sites import build_demo_sites

    server = ReplicaServer(build_demo_sites(), host=host, port=port)
    server.bind()
    console.print(f"replica portal on {server.base_url} — columns:")
    for site in server.sites:
        console.print(f"  {server.url(site.list_url(1))}  ({site.site_name} · {site.column_name}, theme {site.theme})")
    console.print("Ctrl-C to stop")
    server.serve_forever()



def serve_recording(folder: Path, host: str, port: int, console: Console) -> None:
    from replica.recorded import RecordedServer

    server = RecordedServer(folder, host=host, port=port)
    server.bind()
    console.print(f"recorded pages from {folder} on {server.base_url}; Ctrl-C to stop")
    server.serve_forever()
