"""The `noticewatch` command line. Thin: commands call the library and print; errors are one line.

Every command accepts --config PATH and --db PATH (also after the command name).
"""

from __future__ import annotations

import asyncio
import dataclasses
import functools
import json
import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import click
from rich.console import Console

from monitor.config import DEFAULT_CONFIG, DEFAULT_DB, Config, ConfigError, load_config
from monitor.fetch import FetchError
from monitor.store import Store, StoreError

console = Console()
err_console = Console(stderr=True)


class UserError(click.ClickException):
    """Printed as one line `Error: …`, exit code 1."""


KNOWN_ERRORS: tuple[type[Exception], ...] = (ConfigError, StoreError, FetchError)


class NoticewatchGroup(click.Group):
    def invoke(self, ctx: click.Context) -> Any:
        from crawler.parser import ParseError
        from monitor.demo import DemoError

        try:
            return super().invoke(ctx)
        except (*KNOWN_ERRORS, ParseError, DemoError) as exc:
            raise UserError(str(exc)) from None


def common_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """--config/--db/-v on every command, so `noticewatch crawl --config X --db Y` works."""

    @click.option(
        "--config",
        "config_path",
        type=click.Path(dir_okay=False, path_type=Path),
        default=None,
        envvar="NOTICEWATCH_CONFIG",
        help="Config file (default: ./config.yaml).",
    )
    @click.option(
        "--db",
        "db_path",
        type=click.Path(dir_okay=False, path_type=Path),
        default=None,
        envvar="NOTICEWATCH_DB",
        help="SQLite database (default: storage.path in the config).",
    )
    @click.option("-v", "--verbose", count=True, help="More log output (-vv for debug).")
    @functools.wraps(func)
    def wrapper(
        *args: Any, config_path: Path | None, db_path: Path | None, verbose: int, **kwargs: Any
    ) -> Any:
        from monitor.logs import configure_logging

        configure_logging(verbose)
        ctx = Context(config_path, db_path)
        return func(ctx, *args, **kwargs)

    return wrapper


class Context:
    """Resolves the config and the DB path the same way for every command."""

    def __init__(self, config_path: Path | None, db_path: Path | None):
        self.config_path = config_path
        self.db_arg = db_path
        self._config: Config | None = None

    def config(self) -> Config:
        if self._config is None:
            self._config = load_config(self.config_path or DEFAULT_CONFIG)
        return self._config

    def config_if_present(self) -> Config | None:
        if self.config_path is None and not DEFAULT_CONFIG.exists():
            return None
        return self.config()

    def db_path(self) -> Path:
        if self.db_arg is not None:
            return self.db_arg
        config = self.config_if_present()
        return config.storage.path if config else DEFAULT_DB

    def store(self, must_exist: bool = True, removal_after: int = 3) -> Store:
        path = self.db_path()
        if must_exist and not path.exists():
            raise UserError(f"{path}: no database yet (run `noticewatch crawl` first, or pass --db PATH)")
        return Store(path, removal_after=removal_after)


@click.group(cls=NoticewatchGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="noticewatch")
def cli() -> None:
    """noticewatch: find inspection-rectification notices (巡视/巡察整改进展情况的通报) on government
    portals, store them with their fields and disclosure windows, and report what changed.

    \b
    Quick start (offline, on the bundled replica portal):
      noticewatch demo
    Real portals (needs internet; edit config.yaml first):
      noticewatch crawl
      noticewatch notices list
    """


@cli.command()
@click.argument("source_ids", nargs=-1)
@click.option("--max-pages", type=click.IntRange(min=1), default=None, help="Override list pages per source.")
@click.option("--full", is_flag=True, help="Re-fetch every list page and notice, not only what looks new.")
@common_options
def crawl(ctx: Context, source_ids: tuple[str, ...], max_pages: int | None, full: bool) -> None:
    """Crawl sources now and store what they publish.

    With no SOURCE_IDS, crawls every enabled source in the config. Crawls are incremental: list
    entries already stored with the same list title and date are not re-fetched, and paging stops
    at the first list page made only of such entries. --full re-fetches everything.

    \b
    Examples:
      noticewatch crawl
      noticewatch crawl gdjct_zgls --max-pages 2
      noticewatch crawl --full
      noticewatch crawl --config other.yaml --db other.db
    """
    from monitor.crawl import run_crawl

    config = ctx.config()
    sources = select_sources(config, source_ids)
    results = run_crawl(config, sources, ctx.db_path(), max_pages=max_pages, full=full, console=err_console)
    from monitor.display import crawl_summary, print_problems

    console.print(crawl_summary(results))
    print_problems(console, results)
    failed = [r.source_id for r in results if r.status != "completed"]
    if failed:
        raise UserError(f"{len(failed)} source(s) did not complete: {', '.join(failed)} (see problems above)")


def select_sources(config: Config, source_ids: tuple[str, ...]) -> list[Any]:
    if source_ids:
        return [config.source(source_id) for source_id in source_ids]
    sources = [s for s in config.sources if s.enabled]
    if not sources:
        raise UserError(f"{config.path}: no enabled sources to crawl")
    return sources


@cli.command()
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
    from monitor.display import notice_detail

    data, url, content_type = read_input(file_or_url)
    notice = parse_bytes(data, url, content_type=content_type, encoding=encoding)
    if as_json:
        click.echo(json.dumps(notice.to_dict(), ensure_ascii=False, indent=2))
        return
    console.print(notice_detail(notice, date.today()))
    if body:
        console.print(notice.body_text)


def read_input(file_or_url: str) -> tuple[bytes, str | None, str | None]:
    if file_or_url.startswith(("http://", "https://")):
        from monitor.fetch import fetch_page

        page = fetch_page(file_or_url)
        return page.content, page.url, page.content_type
    path = Path(file_or_url)
    if not path.is_file():
        raise UserError(f"{path}: no such file (give a saved page or an http(s) URL)")
    return path.read_bytes(), None, None


@cli.group()
def sources() -> None:
    """List configured sources, or dry-run one."""


@sources.command("list")
@common_options
def sources_list(ctx: Context) -> None:
    """List the sources in the config, with what the database knows of them.

    \b
    Example:
      noticewatch sources list --config config.yaml
    """
    from monitor.display import sources_table

    config = ctx.config()
    path = ctx.db_path()
    store = Store(path) if path.exists() else None
    console.print(sources_table(config, store))


@sources.command("check")
@click.argument("source_id")
@click.option("--max-pages", type=click.IntRange(min=1), default=1, show_default=True)
@common_options
def sources_check(ctx: Context, source_id: str, max_pages: int) -> None:
    """Dry run: crawl one source and show what it yields. Nothing is stored.

    \b
    Example:
      noticewatch sources check gdjct_zgls --max-pages 1
    """
    from monitor.crawl import run_crawl
    from monitor.display import crawl_summary, notices_table, print_problems

    config = ctx.config()
    source = config.source(source_id)
    [result] = run_crawl(config, [source], None, max_pages=max_pages, console=err_console)
    found = [item.notice for item in result.scraped]
    console.print(
        notices_table(found, date.today(), title=f"{source_id}: {len(found)} notice(s), not stored")
    )
    console.print(crawl_summary([result]))
    print_problems(console, [result])


@cli.group()
def notices() -> None:
    """Show stored notices."""


@notices.command("list")
@click.option("--source", "source_id", default=None, help="Only this source.")
@click.option("--limit", type=click.IntRange(min=1), default=None, help="At most N notices.")
@click.option("--json", "as_json", is_flag=True, help="JSON lines, one notice per line.")
@common_options
def notices_list(ctx: Context, source_id: str | None, limit: int | None, as_json: bool) -> None:
    """List stored notices, newest first.

    \b
    Examples:
      noticewatch notices list
      noticewatch notices list --source gdjct_zgls --json
    """
    from monitor.display import notices_table

    with ctx.store() as store:
        rows = store.notices(source_id=source_id, limit=limit)
    if as_json:
        for row in rows:
            click.echo(json.dumps({"id": row.id, **row.notice.to_dict()}, ensure_ascii=False))
        return
    console.print(notices_table(rows, date.today(), title=f"{len(rows)} notice(s)"))


@notices.command("show")
@click.argument("url_or_id")
@click.option("--json", "as_json", is_flag=True, help="Print the record as JSON.")
@click.option("--body/--no-body", default=True, help="Print the body text too.")
@common_options
def notices_show(ctx: Context, url_or_id: str, as_json: bool, body: bool) -> None:
    """Show one stored notice by id or URL.

    \b
    Examples:
      noticewatch notices show 3
      noticewatch notices show https://www.gdjct.gd.gov.cn/xunshizgls/content/post_5628172.html --json
    """
    from monitor.display import notice_detail

    with ctx.store() as store:
        stored = store.find_notice(url_or_id)
    if stored is None:
        raise UserError(f"no stored notice with id or URL '{url_or_id}' (see `noticewatch notices list`)")
    if as_json:
        click.echo(json.dumps({"id": stored.id, **stored.notice.to_dict()}, ensure_ascii=False, indent=2))
        return
    console.print(notice_detail(stored, date.today()))
    if body:
        console.rule()
        console.print(stored.notice.body_text)


@cli.command()
@click.argument("source_ids", nargs=-1)
@click.option("--limit", type=click.IntRange(min=1), default=None, help="Re-check at most N notices.")
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
    from monitor.display import recheck_summary
    from monitor.recheck import recheck as run_recheck

    config = ctx.config()
    sources = [config.source(s) for s in source_ids] if source_ids else list(config.sources)
    with ctx.store(removal_after=config.defaults.removal_after_failures) as store:
        results = asyncio.run(run_recheck(config, sources, store, limit=limit, everything=everything))
    results = [r for r in results if r.run_id is not None]
    console.print(recheck_summary(results))
    for result in results:
        for line in result.problems:
            console.print(f"  {result.source_id}: {line}", style="yellow", markup=False)


@cli.command()
@click.option("--since", default=None, help="Only events detected since (2024-10-01, 12h, 3d, 2w).")
@click.option(
    "--kind",
    "kinds",
    multiple=True,
    type=click.Choice(["new", "changed", "removed", "restored", "moved"]),
    help="Only these kinds (repeatable).",
)
@click.option("--json", "as_json", is_flag=True, help="JSON lines, one event per line.")
@common_options
def events(ctx: Context, since: str | None, kinds: tuple[str, ...], as_json: bool) -> None:
    """What happened: new, changed, removed, restored and moved notices.

    \b
    Examples:
      noticewatch events --since 3d
      noticewatch events --kind removed --kind changed --json
    """
    from monitor.display import events_table
    from monitor.since import parse_since

    try:
        since_iso = parse_since(since) if since else None
    except ValueError as exc:
        raise UserError(str(exc)) from None
    with ctx.store() as store:
        found = store.events(since=since_iso, kinds=kinds)
    if as_json:
        for event in found:
            click.echo(json.dumps(event_dict(event), ensure_ascii=False))
        return
    console.print(events_table(found))


def event_dict(event: Any) -> dict[str, Any]:
    return {
        "id": event.id,
        "kind": event.kind,
        "notice_id": event.notice_id,
        "source_id": event.source_id,
        "url": event.url,
        "detected_at": event.detected_at,
        "summary": event.summary,
        "changes": list(event.changes),
        "diff": event.diff,
        "window_open": event.window_open,
    }


@cli.command()
@click.argument("words", nargs=-1)
@click.option("--source", "source_id", default=None, help="Only this source.")
@click.option("--org", default=None, help="Inspected organisation contains this text.")
@click.option("--team", default=None, help="Inspection team contains this text (e.g. 第十一巡视组).")
@click.option("--level", type=click.Choice(["巡视", "巡察"]), default=None, help="Inspection level.")
@click.option("--type", "doc_type", default=None, help="Document type, e.g. rectification_notice.")
@click.option("--open-on", default=None, help="Disclosure window open on this date (YYYY-MM-DD or 'today').")
@click.option("--status", type=click.Choice(["active", "removed"]), default=None, help="Only active or removed.")
@click.option("--limit", type=click.IntRange(min=1), default=20, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="JSON lines, one hit per line.")
@click.option("--rebuild", is_flag=True, help="Rebuild the search index from the stored notices first.")
@common_options
def search(ctx: Context, words: tuple[str, ...], source_id: str | None, org: str | None, team: str | None,
           level: str | None, doc_type: str | None, open_on: str | None, status: str | None, limit: int,
           as_json: bool, rebuild: bool) -> None:
    """Find stored notices by words in title and body (Chinese of any length, 横琴 included;
    traditional or simplified) and by field. Every word must match; best matches first.

    \b
    Examples:
      noticewatch search 横琴
      noticewatch search 整改 金湾 --level 巡视
      noticewatch search --open-on today --json
      noticewatch search --org 工业和信息化局 --team 机动巡察组
    """
    from monitor import search as search_index
    from monitor.display import search_table

    if open_on == "today":
        open_on = date.today().isoformat()
    elif open_on:
        try:
            open_on = date.fromisoformat(open_on).isoformat()
        except ValueError:
            raise UserError(f"--open-on {open_on!r}: use a date like 2024-10-01, or 'today'") from None
    filters = search_index.Filters(source_id=source_id, org=org, team=team, level=level, doc_type=doc_type,
                                   open_on=open_on, status=status)
    with ctx.store() as store:
        if rebuild:
            count = search_index.rebuild_index(store.db)
            err_console.print(f"search index rebuilt: {count} notices")
        hits = search_index.search(store.db, " ".join(words), filters, limit)
    if as_json:
        for hit in hits:
            click.echo(json.dumps(dataclasses.asdict(hit), ensure_ascii=False))
        return
    console.print(search_table(hits, " ".join(words), date.today()))


@cli.command()
@click.argument("url_or_id")
@click.option("--json", "as_json", is_flag=True, help="Versions and their changes as JSON.")
@common_options
def history(ctx: Context, url_or_id: str, as_json: bool) -> None:
    """Every stored version of one notice, with fetch times and what changed between them.

    \b
    Examples:
      noticewatch history 12
      noticewatch history https://www.gdjct.gd.gov.cn/xunshizgls/content/post_5628172.html --json
    """
    from monitor.changes import compare_notices
    from monitor.display import history_view

    with ctx.store() as store:
        stored = store.find_notice(url_or_id)
        if stored is None:
            raise UserError(f"no stored notice with id or URL '{url_or_id}' (see `noticewatch notices list`)")
        versions = store.versions(stored.id)
        found = store.events(notice_id=stored.id)
    steps = [
        (v, compare_notices(prev.notice, v.notice) if prev else None)
        for prev, v in zip([None, *versions[:-1]], versions, strict=True)
    ]
    if as_json:
        out = {
            "id": stored.id,
            "url": stored.notice.url,
            "status": stored.status,
            "versions": [
                {
                    "version": v.version,
                    "fetched_at": v.fetched_at,
                    "raw_sha256": v.raw_sha256,
                    "content_hash": v.content_hash,
                    "changes": [c.to_dict() for c in change.fields] if change else [],
                    "diff": change.body.render() if change else "",
                }
                for v, change in steps
            ],
            "events": [event_dict(e) for e in found],
        }
        click.echo(json.dumps(out, ensure_ascii=False, indent=2))
        return
    console.print(history_view(stored, steps, found))


@cli.command()
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
    from monitor.demo import run_demo

    run_demo(ctx.db_arg, console=console, err_console=err_console, serve=serve)


@cli.group()
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
    from monitor.demo import serve_recording, serve_replica

    if recorded is not None:
        serve_recording(recorded, host, port, console=console)
    else:
        serve_replica(host, port, console=console)


def main() -> None:
    try:
        cli.main(prog_name="noticewatch", standalone_mode=True)
    except KeyboardInterrupt:
        err_console.print("interrupted")
        sys.exit(130)


# Commands that live in their own modules take the group once it exists.
from monitor import cli_daemon, cli_digest, cli_record  # noqa: E402

for _module in (cli_daemon, cli_digest, cli_record):
    _module.register(cli)
