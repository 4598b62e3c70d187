"""`noticewatch serve`: Datasette over one store, read-only, with the noticewatch plugin, on uvicorn.

The database is opened as Datasette opens a mutable file — `file:…?mode=ro` — so the reader sees
what a running daemon writes (an `immutable=1` open would ignore the WAL and could read a torn
file), and `PRAGMA query_only` is set on each connection (plugin.py). Nothing is written to it.

SIGINT and SIGTERM stop the server cleanly: uvicorn stops accepting, finishes the requests in
flight and closes; `serve` then returns which signal it was (the CLI exits 130 / 143, as the other
long-running commands). Uvicorn itself would re-raise the signal after shutdown and end the process
by it, past the CLI's one-line exit; `ReaderServer` keeps the handlers but not the re-raise.
"""

from __future__ import annotations

import contextlib
import signal
import socket
import sqlite3
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import uvicorn

from monitor.reader import plugin
from monitor.reader.pages import DB_NAME, Reader
from monitor.reader.queries import ReaderError, check_store

TEMPLATES = Path(__file__).parent / "templates"
SETTINGS = {
    "default_allow_sql": True,  # read-only SELECTs, within the time limit
    "sql_time_limit_ms": 3000,
    "max_returned_rows": 1000,
    "allow_download": False,
    "suggest_facets": False,  # costly on a 100k-notice store
}
METADATA = {
    "title": "noticewatch",
    "description": "Rectification notices, their comment windows, versions and withdrawals (read-only).",
    "databases": {DB_NAME: {"tables": {
        "notices": {"label_column": "title", "facets": ["source_id", "status", "doc_type"]},
        "events": {"facets": ["kind", "source_id"], "sort_desc": "id"},
    }}},
}


@dataclass(frozen=True)
class Served:
    host: str
    port: int
    signal: str | None  # the signal that stopped it


def build_datasette(db_path: Path, today: Callable[[], date]) -> Any:
    """A Datasette instance reading `db_path` through the noticewatch plugin (ReaderError if the file
    is missing or not a noticewatch store)."""
    from datasette.app import Datasette
    from datasette.database import Database

    check_file(db_path)
    plugin.register()

    class ReaderDatasette(Datasette):
        noticewatch_reader = Reader(today=today)  # read by the plugin's hooks, while Datasette builds its app

    datasette = ReaderDatasette(files=[], template_dir=str(TEMPLATES), settings=SETTINGS, metadata=METADATA)
    datasette.add_database(Database(datasette, path=str(db_path), is_mutable=True), name=DB_NAME)
    return datasette


def check_file(db_path: Path) -> None:
    if not db_path.is_file():
        raise ReaderError(f"{db_path}: no such database; create one with `noticewatch crawl` or `noticewatch demo`")
    try:
        conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
        try:
            check_store(conn, str(db_path))
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        raise ReaderError(f"{db_path}: cannot be read as SQLite ({exc})") from None


def serve(db_path: Path, host: str, port: int, today: Callable[[], date],
          on_ready: Callable[[str], None] | None = None) -> Served:
    """Serve until SIGINT or SIGTERM; returns how it stopped."""
    datasette = build_datasette(db_path, today)
    try:  # bound here, so a taken port is one clear error (uvicorn logs it and exits 3)
        sock = socket.create_server((host, port))
    except OSError as exc:
        raise ReaderError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    config = uvicorn.Config(datasette.app(), host=host, port=sock.getsockname()[1], log_level="warning",
                            lifespan="on", access_log=False)
    server = ReaderServer(config, on_ready)
    with sock:
        server.run(sockets=[sock])
    return Served(host, server.bound_port or port, server.stopped_by)


class ReaderServer(uvicorn.Server):
    """uvicorn.Server with a graceful stop on SIGINT/SIGTERM, but no re-raise of the signal after it."""

    def __init__(self, config: uvicorn.Config, on_ready: Callable[[str], None] | None = None) -> None:
        super().__init__(config)
        self.on_ready = on_ready
        self.stopped_by: str | None = None
        self.bound_port: int | None = None

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        if threading.current_thread() is not threading.main_thread():  # signals reach the main thread only
            yield
            return
        previous = {sig: signal.signal(sig, self._stop) for sig in (signal.SIGINT, signal.SIGTERM)}
        try:
            yield
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)

    def _stop(self, sig: int, frame: Any) -> None:
        self.stopped_by = signal.Signals(sig).name
        if self.should_exit and sig == signal.SIGINT:
            self.force_exit = True  # a second Ctrl-C: stop waiting for open connections
        self.should_exit = True

    async def startup(self, sockets: Any = None) -> None:
        await super().startup(sockets)
        if self.servers and self.servers[0].sockets:
            self.bound_port = self.servers[0].sockets[0].getsockname()[1]
        if self.on_ready is not None and self.started:
            self.on_ready(f"http://{self.config.host}:{self.bound_port}/")
