"""`noticewatch serve`: the local web reader (monitor/reader/), added to the group by `register(cli)`."""

from __future__ import annotations

import ipaddress
import signal
import sys
from pathlib import Path

import click

from monitor.cli.main import Context, UserError, common_options, err_console


def register(cli: click.Group) -> None:
    """Add `serve` to `cli` (once)."""
    if "serve" in cli.commands:
        return
    cli.add_command(serve)


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on. Anything but loopback puts the reader on the network: give --public too.")
@click.option("--port", type=click.IntRange(min=0, max=65535), default=8001, show_default=True,
              help="Port (0: any free one).")
@click.option("--public", is_flag=True, help="Allow a --host that is not a loopback address.")
@common_options
def serve(ctx: Context, host: str, port: int, public: bool) -> None:
    """Browse the database in a web browser: notices open for comment now (closing soonest first,
    with where to send comments), latest changes and withdrawals, sources with problems, each
    notice with its versions and the character-level diff, search (横琴 or 橫琴), and every table
    through Datasette (facets, SQL, CSV and JSON).

    Read-only: the database is opened read-only, only GET requests are answered, and no script
    from a portal can run (Content-Security-Policy). Ctrl-C or SIGTERM stops it (exit 130 / 143).

    \b
    Examples:
      noticewatch serve --db noticewatch-demo.db
      noticewatch serve --port 8080
    """
    from monitor.reader.queries import ReaderError
    from monitor.reader.server import serve as run_server
    from monitor.window import china_today

    if not public and not _is_loopback(host):
        raise UserError(f"--host {host}: not a loopback address; the reader would be open to the network "
                        "(add --public if that is what you want)")
    db_path: Path = ctx.db_path()
    console = err_console()

    def ready(url: str) -> None:
        console.print(f"noticewatch reader on [bold]{url}[/] (database {db_path}, read-only); Ctrl-C to stop",
                      markup=True, highlight=False)

    try:
        served = run_server(db_path, host, port, today=china_today, on_ready=ready)
    except ReaderError as exc:  # not a store, or the address cannot be bound
        raise UserError(str(exc)) from None
    console.print(f"reader stopped{f' ({served.signal})' if served.signal else ''}")
    if served.signal:  # as the other long-running commands: 128 + the signal's number (130, 143)
        sys.exit(128 + signal.Signals[served.signal].value)


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
