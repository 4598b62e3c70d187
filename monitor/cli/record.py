"""`noticewatch record SOURCE --out DIR`: save a source's live list and detail pages for offline tests."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import click

from monitor.cli.main import Context, UserError, common_options, console, count_type


def register(cli: click.Group) -> None:
    """Add `record` to `cli` (once)."""
    if "record" in cli.commands:
        return

    @cli.command()
    @click.argument("source_id")
    @click.option(
        "--out",
        "out_dir",
        type=click.Path(file_okay=False, path_type=Path),
        required=True,
        help="Folder to write pages/ and manifest.json into.",
    )
    @click.option(
        "--max-pages", type=count_type(), default=1, show_default=True, help="List pages to record."
    )
    @click.option(
        "--details",
        type=count_type(0),
        default=5,
        show_default=True,
        help="Detail pages to record (0: all the list pages link).",
    )
    @common_options
    def record(ctx: Context, source_id: str, out_dir: Path, max_pages: int, details: int) -> None:
        """Record a source's list and detail pages into a folder (politely: the source's delay).

        The replica serves the folder offline (`noticewatch replica serve --recorded DIR`, or
        replica.recorded.RecordedServer in a test), so a selector change can be tried without the
        internet. Nothing is stored in the database. Fails (exit 1) when a request got no answer,
        its retries included: the recording would lack it.

        \b
        Example:
          noticewatch record ccdi_xsxc --out tests/fixtures/recorded/ccdi --max-pages 1 --details 3
        """
        from crawler.recording import read_manifest, unanswered
        from monitor.crawl.runner import crawl_settings, crawl_sources, run_reactor

        config = ctx.config()
        source = config.source(source_id)
        if out_dir.exists() and any(out_dir.iterdir()):
            raise UserError(f"{out_dir}: folder is not empty (choose a new --out folder)")
        spec = dataclasses.replace(source.spec(), max_pages=max_pages)
        settings = crawl_settings(config.defaults, None)
        settings.set("NOTICEWATCH_RECORD_DIR", str(out_dir), priority="cmdline")
        settings.set("NOTICEWATCH_MAX_DETAILS", details, priority="cmdline")
        middlewares = dict(settings.getdict("DOWNLOADER_MIDDLEWARES"))
        middlewares["crawler.recording.Recorder"] = 900  # next to the download: every raw answer
        settings.set("DOWNLOADER_MIDDLEWARES", middlewares, priority="cmdline")
        [result] = run_reactor(lambda: crawl_sources([spec], settings, full=True))
        console().print(
            f"{source_id}: recorded {len(read_manifest(out_dir).get('entries', []))} answer(s) "
            f"({len(result.scraped)} notice page(s)) "
            f"into {out_dir}/manifest.json"
        )
        for problem in result.problems:
            console().print(f"  [yellow]{problem}[/]")
        missing = unanswered(out_dir)
        if missing:
            lines = "".join(f"\n  {m['method']} {m['url']}: {m['error']}" for m in missing)
            raise UserError(
                f"{out_dir}: incomplete recording, {len(missing)} request(s) got no answer "
                f'(listed under "unanswered" in manifest.json); record again into a new folder:{lines}'
            )
