"""`noticewatch demo` and `noticewatch replica serve`, added to the group by `register(cli)`."""

from __future__ import annotations

from pathlib import Path

import click

from monitor.cli.main import Context, common_options, console, err_console


def register(cli: click.Group) -> None:
    """Add `demo` and the `replica` group to `cli` (once)."""
    if "demo" in cli.commands:
        return
    cli.add_command(demo)
    cli.add_command(replica)


@click.command()
@click.option(
    "--serve/--no-serve", default=False, help="Keep the replica running afterwards (Ctrl-C to stop)."
)
@common_options
def demo(ctx: Context, serve: bool) -> None:
    """Offline demo: start the bundled replica portal on 127.0.0.1, crawl it, show the notices.

    Writes a fresh database (default ./noticewatch-demo.db, recreated each run; --db must not
    name an existing file).

    \b
    Example:
      noticewatch demo
    """
    from monitor.cli.demo_run import run_demo

    run_demo(ctx.db_arg, console=console(), err_console=err_console(), serve=serve)


@click.group()
def replica() -> None:
    """The replica portal: real HTTP on loopback standing in for government portals."""


@replica.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Loopback address to bind.")
@click.option("--port", type=click.IntRange(min=0, max=65535), default=8000, show_default=True)
@click.option("--recorded", "recorded", type=click.Path(file_okay=False, exists=True, path_type=Path), default=None,
              help="Serve a folder saved by `noticewatch record` instead of the demo portal.")
@common_options
def replica_serve(ctx: Context, host: str, port: int, recorded: Path | None) -> None:
    """Serve the demo replica portal (or a recorded source) on loopback until Ctrl-C.

    \b
    Examples:
      noticewatch replica serve --port 8000
      noticewatch replica serve --recorded fixtures/gdjct_zgls --port 8001
      noticewatch sources check demo_gdjct   # with a config pointing at http://127.0.0.1:8000/
    """
    from monitor.cli.demo_run import serve_recording, serve_replica

    if recorded is not None:
        serve_recording(recorded, host, port, console=console())
    else:
        serve_replica(host, port, console=console())
