"""The offline demo: replica portal on loopback → real spider → SQLite → a readable table."""

from __future__ import annotations

import threading
from datetime import date
from pathlib import Path

from rich.console import Console

from monitor.config.loader import Source, parse_config
from monitor.crawl.run import run_crawl
from monitor.store.db import Store

DEMO_DB = Path("noticewatch-demo.db")


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


def run_demo(db_arg: Path | None, console: Console, err_console: Console, serve: bool = False) -> None:
    from replica.server import ReplicaServer
    from replica.sites import build_demo_sites

    db_path = demo_db_path(db_arg)
    with ReplicaServer(build_demo_sites()) as server:
        err_console.print(f"replica portal on [bold]{server.base_url}[/] ({len(server.sites)} columns)")
        config = parse_config(
            {
                "defaults": {"max_pages": 10},
                "sources": [
                    {"id": f"demo_{site.id}", "name": f"{site.site_name} · {site.column_name}", "kind": "nfcms",
                     "start_urls": [server.url(site.list_url(1))]}
                    for site in server.sites
                ],
            },
            None,
        )
        results = run_crawl(config, config.sources, db_path, console=err_console)
        show_results(db_path, config.sources, results, console)
        if serve:
            err_console.print(f"replica still serving on {server.base_url}; Ctrl-C to stop")
            threading.Event().wait()  # the server thread keeps serving until Ctrl-C


def show_results(db_path: Path, sources: tuple[Source, ...], results: list, console: Console) -> None:
    from monitor.cli.display import crawl_summary, notices_table, print_problems

    with Store(db_path) as store:
        rows = store.notices()
    console.print(notices_table(rows, date.today(), title=f"{len(rows)} notices stored in {db_path}"))
    console.print(crawl_summary(results))
    print_problems(console, results)
    console.print(
        f"Next: [bold]noticewatch notices show 1 --db {db_path}[/] · "
        f"[bold]noticewatch notices list --db {db_path} --json[/]"
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
