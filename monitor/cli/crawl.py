"""`noticewatch crawl`, `recheck` and `parse`: the commands that fetch pages.

Added to the group by `register(cli)` (monitor/cli/main.py imports this module when one of them runs).
Scrapy, the parser and the store are imported inside the commands.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from monitor.cli.main import Context, UserError, common_options, console, count_type, err_console

FAILED_NAMED = 20  # the closing error line names at most this many sources


def register(cli: click.Group) -> None:
    """Add `crawl`, `recheck` and `parse` to `cli` (once)."""
    if "crawl" in cli.commands:
        return
    for command in (crawl, recheck, parse):
        cli.add_command(command)


@click.command()
@click.argument("source_ids", nargs=-1)
@click.option("--max-pages", type=count_type(), default=None, help="Override list pages per source.")
@click.option("--full", is_flag=True, help="Re-fetch every list page and notice, not only what looks new.")
@click.option("--list-all", is_flag=True,
              help="List every source in the summary (above 20 sources only those with problems or changes).")
@common_options
def crawl(ctx: Context, source_ids: tuple[str, ...], max_pages: int | None, full: bool, list_all: bool) -> None:
    """Crawl sources now and store what they publish.

    With no SOURCE_IDS, crawls every enabled source in the config. Crawls are incremental: list
    entries already stored with the same list title and date are not re-fetched, and paging stops
    at the first list page made only of such entries. --full re-fetches everything.

    Progress goes to stderr (a total bar above 8 sources; a totals line every 30 s when not a terminal).
    Above 20 sources the summary lists only those with problems or changes; --list-all lists all.

    \b
    Examples:
      noticewatch crawl
      noticewatch crawl gdjct_zgls --max-pages 2
      noticewatch crawl --full
      noticewatch crawl --list-all
      noticewatch crawl --config other.yaml --db other.db
    """
    from monitor.crawl.run import run_crawl

    config = ctx.config()
    sources = select_sources(config, source_ids)
    results = run_crawl(config, sources, ctx.db_path(), max_pages=max_pages, full=full, console=err_console())
    interrupted(results)
    from monitor.cli.display import crawl_summary, print_problems

    console().print(crawl_summary(results, list_all=list_all))
    print_problems(console(), results, list_all=list_all)
    failed = [r.source_id for r in results if r.status != "completed"]
    if failed:
        named = ", ".join(failed[:FAILED_NAMED]) + (f" and {len(failed) - FAILED_NAMED:,} more"
                                                     if len(failed) > FAILED_NAMED else "")
        raise UserError(f"{len(failed)} source(s) did not complete: {named} (see problems above)")


def interrupted(results: list[Any]) -> None:
    """After SIGINT/SIGTERM: one line saying what was kept, then exit 130/143 (monitor/shutdown.py)."""
    from monitor.shutdown import SHUTDOWN

    if not SHUTDOWN.requested:
        return
    pages = sum(r.pages for r in results)
    aborted = [r.source_id for r in results if r.status == "aborted"]
    SHUTDOWN.check(f"crawl stopped; {pages} page(s) fetched were stored"
                   + (f", run(s) of {', '.join(aborted)} recorded as aborted" if aborted else ""))


def select_sources(config: Any, source_ids: tuple[str, ...]) -> list[Any]:
    if source_ids:
        return [config.source(source_id) for source_id in source_ids]
    sources = [s for s in config.sources if s.enabled]
    if not sources:
        raise UserError(f"{config.path}: no enabled sources to crawl")
    return sources


@click.command()
@click.argument("source_ids", nargs=-1)
@click.option("--limit", type=count_type(), default=None, help="Re-check at most N notices.")
@click.option("--all", "everything", is_flag=True, help="Re-check every stored notice, not only those due.")
@common_options
def recheck(ctx: Context, source_ids: tuple[str, ...], limit: int | None, everything: bool) -> None:
    """Re-fetch stored notices with conditional requests and record what changed.

    Due are: notices whose disclosure window is open or upcoming (first), failing or removed ones,
    ones published in the last 30 days, and any not checked for 7 days; --all takes every one.
    Unchanged pages cost a 304; a page that is gone, redirects home or turns into a challenge
    counts a failure, and after `removal_after_failures` in a row the notice is removed.

    \b
    Examples:
      noticewatch recheck
      noticewatch recheck gdjct_zgls --limit 50
      noticewatch recheck --all
    """
    import asyncio

    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from monitor.cli.display import recheck_summary
    from monitor.crawl.recheck import recheck as run_recheck
    from monitor.shutdown import SHUTDOWN

    config = ctx.config()
    sources = [config.source(s) for s in source_ids] if source_ids else list(config.sources)
    with ctx.store(removal_after=config.defaults.removal_after_failures) as store, Progress(
        TextColumn("[bold]re-check"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
        console=err_console(), transient=True,
    ) as progress:
        task = progress.add_task("re-check", total=None)

        async def checked() -> list[Any]:
            SHUTDOWN.on_stop(asyncio.current_task().cancel)  # type: ignore[union-attr] # runs end aborted
            return await run_recheck(config, sources, store, limit=limit, everything=everything,
                                     on_progress=lambda done, due: progress.update(task, completed=done, total=due))

        try:
            results = asyncio.run(checked())
        except asyncio.CancelledError:
            SHUTDOWN.check("re-check stopped; its run(s) recorded as aborted")
            raise
    results = [r for r in results if r.run_id is not None]
    console().print(recheck_summary(results))
    for result in results:
        for line in result.problems:
            console().print(f"  {result.source_id}: {line}", style="yellow", markup=False)


@click.command()
@click.argument("file_or_url")
@click.option("--json", "as_json", is_flag=True, help="Print the notice record as JSON.")
@click.option("--encoding", default=None, help="Decode with this encoding instead of detecting it.")
@click.option("--body/--no-body", default=False, help="Also print the body text (terminal output).")
@common_options
def parse(ctx: Context, file_or_url: str, as_json: bool, encoding: str | None, body: bool) -> None:
    """Parse one notice page (a saved file or a URL) and print its fields.

    \b
    Examples:
      noticewatch parse saved/post_123.html
      noticewatch parse notice.txt --json
      noticewatch parse https://www.gdjct.gd.gov.cn/xunshizgls/content/post_5628172.html --json
    """
    from crawler.parser import parse_bytes
    from crawler.parser.decoding import codec_name

    if encoding is not None and codec_name(encoding) is None:
        raise UserError(f"--encoding {encoding[:40]!r}: not a text encoding Python knows (e.g. utf-8, gb18030, big5)")
    data, url, content_type = read_input(file_or_url)
    notice = parse_bytes(data, url, content_type=content_type, encoding=encoding)
    if as_json:
        click.echo(json.dumps(notice.to_dict(), ensure_ascii=False, indent=2))
        return
    from monitor.cli.display import notice_detail
    from monitor.window import china_today

    console().print(notice_detail(notice, china_today()))
    if body:
        console().print(notice.body_text)


def read_input(file_or_url: str) -> tuple[bytes, str | None, str | None]:
    if file_or_url.startswith(("http://", "https://")):
        from monitor.crawl.fetch import fetch_page

        page = fetch_page(file_or_url)
        return page.content, page.url, page.content_type
    path = Path(file_or_url)
    if not path.is_file():
        raise UserError(f"{path}: no such file (give a saved page or an http(s) URL)")
    return path.read_bytes(), None, None
