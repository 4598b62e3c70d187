"""`noticewatch notices list/show`, `events`, `history` and `search`: reading what is stored.

Added to the group by `register(cli)`. These only read the database: the config is loaded without
checking kinds' own options (no spider, no Scrapy), and rich is imported only for terminal tables.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import click

from monitor.cli.main import Context, UserError, common_options, console, err_console


def register(cli: click.Group) -> None:
    """Add `notices`, `events`, `history` and `search` to `cli` (once)."""
    if "notices" in cli.commands:
        return
    for command in (notices, events, history, search):
        cli.add_command(command)


@click.group()
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
    with ctx.store() as store:
        rows = store.notices(source_id=source_id, limit=limit)
    if as_json:
        for row in rows:
            click.echo(json.dumps({"id": row.id, **row.notice.to_dict()}, ensure_ascii=False))
        return
    from monitor.cli.display import notices_table

    console().print(notices_table(rows, date.today(), title=f"{len(rows)} notice(s)"))


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
    with ctx.store() as store:
        stored = store.find_notice(url_or_id)
    if stored is None:
        raise UserError(f"no stored notice with id or URL '{url_or_id}' (see `noticewatch notices list`)")
    if as_json:
        click.echo(json.dumps({"id": stored.id, **stored.notice.to_dict()}, ensure_ascii=False, indent=2))
        return
    from monitor.cli.display import notice_detail

    console().print(notice_detail(stored, date.today()))
    if body:
        console().rule()
        console().print(stored.notice.body_text)


@click.command()
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
    from monitor.cli.display import events_table

    console().print(events_table(found))


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


@click.command()
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
    import dataclasses

    from monitor.store import search as search_index

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
            err_console().print(f"search index rebuilt: {count} notices")
        hits = search_index.search(store.db, " ".join(words), filters, limit)
    if as_json:
        for hit in hits:
            click.echo(json.dumps(dataclasses.asdict(hit), ensure_ascii=False))
        return
    from monitor.cli.display import search_table

    console().print(search_table(hits, " ".join(words), date.today()))


@click.command()
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
    from monitor.cli.display import history_view

    console().print(history_view(stored, steps, found))
