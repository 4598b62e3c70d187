"""`noticewatch notices list/show`, `events`, `history` and `search`: reading what is stored.

Added to the group by `register(cli)`. These only read the database: the config is loaded without
checking kinds' own options (no spider, no Scrapy), and rich is imported only for terminal tables.

"Today" is the date in China (monitor.window.china_today) for every window status shown here. Every
JSON record carries the notice's `status` (active | removed) and its `window_status` (upcoming | open
| closing soon | closed | unknown) with `days_left`; a removed notice is marked in every table.
"""

from __future__ import annotations

import csv
import json
import re
import sys
from datetime import date, timedelta
from typing import Any

import click

from crawler.notice import DOC_TYPES
from monitor.cli.main import Context, UserError, common_options, console, count_type, err_console
from monitor.window import china_today, window_status

# `notices list --csv`: every notice field but the body and the parser's structure notes.
CSV_FIELDS = ("id", "status", "window_status", "days_left", "doc_type", "title", "url", "source_id", "published_at",
              "inspected_org", "inspection_team", "inspection_level", "inspection_kind", "inspection_round",
              "inspection_start", "inspection_end", "feedback_date", "disclosure_start", "disclosure_end", "phones",
              "emails", "postal_address", "postcode", "signer", "signed_date", "first_seen", "last_seen",
              "version_count")


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
@click.option("--open", "open_now", is_flag=True, help="Only windows open today (China), closing soonest first.")
@click.option("--closing-within", default=None, metavar="DAYS",
              help="Only windows open today that close within DAYS (7d, 2w, 10); implies --open.")
@click.option("--status", type=click.Choice(["active", "removed"]), default=None,
              help="Only active or removed notices (--open alone lists active ones).")
@click.option("--limit", type=count_type(), default=None, help="At most N notices.")
@click.option("--json", "as_json", is_flag=True, help="JSON lines, one notice per line.")
@click.option("--csv", "as_csv", is_flag=True, help="CSV with a header row (no body text).")
@common_options
def notices_list(ctx: Context, source_id: str | None, open_now: bool, closing_within: str | None, status: str | None,
                 limit: int | None, as_json: bool, as_csv: bool) -> None:
    """List stored notices, newest first; with --open, those open for comment today, closing soonest first.

    A removed (withdrawn) notice is marked [removed]; `--open --status removed` lists the ones
    withdrawn while their window is still running.

    \b
    Examples:
      noticewatch notices list
      noticewatch notices list --open
      noticewatch notices list --closing-within 7d --json
      noticewatch notices list --status removed --csv > removed.csv
      noticewatch notices list --source gdjct_zgls --json
    """
    if as_json and as_csv:
        raise UserError("--json and --csv: choose one")
    today = china_today()
    days = parse_days(closing_within) if closing_within is not None else None
    windowed = open_now or days is not None
    with ctx.store() as store:
        ctx.check_source(store, source_id)
        rows = store.notices(source_id=source_id, limit=limit, status=status or ("active" if windowed else None),
                             open_on=today if windowed else None,
                             closes_by=today + timedelta(days=days) if days is not None else None)
    if as_json:
        for row in rows:
            click.echo(json.dumps(notice_json(row, today), ensure_ascii=False))
        return
    if as_csv:
        write_csv(rows, today)
        return
    from monitor.cli.display import notices_table

    what = "open today" if windowed else ""
    if days is not None:
        what = f"open today, closing within {days} day{'s' if days != 1 else ''}"
    title = f"{len(rows)} notice(s)" + (f" {what} ({today} in China)" if what else "")
    console().print(notices_table(rows, today, title=title, width=console().width))


def parse_days(text: str) -> int:
    """'7d' → 7, '2w' → 14, '10' → 10."""
    match = re.fullmatch(r"\s*(\d{1,4})\s*([dw]?)\s*", text.lower())
    if match is None:
        raise UserError(f"--closing-within {text!r}: use a number of days like 7d, 2w or 10")
    return int(match[1]) * (7 if match[2] == "w" else 1)


def window_json(notice: Any, today: date) -> dict[str, Any]:
    """The window status of a notice today, for JSON output."""
    status = window_status(notice, today)
    days = None
    if status in ("open", "closing soon", "upcoming") and notice.disclosure_end:
        days = (date.fromisoformat(notice.disclosure_end) - today).days
    return {"window_status": status, "days_left": days}


def notice_json(stored: Any, today: date) -> dict[str, Any]:
    """{"id", "status", "window_status", "days_left", …every notice field…} of a StoredNotice."""
    return {"id": stored.id, "status": stored.status, **window_json(stored.notice, today), **stored.notice.to_dict(),
            "first_seen": stored.first_seen, "last_seen": stored.last_seen, "version_count": stored.version_count}


def write_csv(rows: list[Any], today: date) -> None:
    writer = csv.DictWriter(sys.stdout, fieldnames=CSV_FIELDS, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    for row in rows:
        record = notice_json(row, today)
        writer.writerow({k: "; ".join(v) if isinstance(v, list) else v for k, v in record.items()})


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
    today = china_today()
    if as_json:
        click.echo(json.dumps(notice_json(stored, today), ensure_ascii=False, indent=2))
        return
    from monitor.cli.display import notice_detail

    console().print(notice_detail(stored, today))
    if body:
        console().rule()
        console().print(stored.notice.body_text, markup=False, highlight=False)


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
        since_iso = parse_since(since) if since is not None else None
    except ValueError as exc:
        raise UserError(str(exc)) from None
    with ctx.store() as store:
        found = store.events(since=since_iso, kinds=kinds)
        states = notice_states(store, {e.notice_id for e in found}) if as_json else {}
    if as_json:
        today = china_today()
        for event in found:
            record = event_dict(event)
            state = states.get(event.notice_id)
            if state is not None:
                record.update(status=state.status, **window_json(state.notice, today))
            click.echo(json.dumps(record, ensure_ascii=False))
        return
    from monitor.cli.display import events_table

    console().print(events_table(found, width=console().width))


def notice_states(store: Any, notice_ids: set[int]) -> dict[int, Any]:
    """{notice id: StoredNotice} for the notices events name (their current status and window)."""
    from monitor.store.records import row_to_stored

    ids = sorted(notice_ids)
    out: dict[int, Any] = {}
    for start in range(0, len(ids), 500):  # SQLite caps bound parameters
        chunk = ids[start : start + 500]
        for row in store.rows(f"select * from notices where id in ({', '.join('?' for _ in chunk)})", chunk):
            out[row["id"]] = row_to_stored(row)
    return out


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
@click.option("--type", "doc_type", default=None,
              type=click.Choice(DOC_TYPES),
              help="Document type.")
@click.option("--open-on", default=None,
              help="Disclosure window open on this date (YYYY-MM-DD, or 'today' in China); active notices unless --status.")
@click.option("--status", type=click.Choice(["active", "removed"]), default=None, help="Only active or removed.")
@click.option("--limit", type=count_type(), default=20, show_default=True)
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

    today = china_today()
    if open_on == "today":
        open_on = today.isoformat()
    elif open_on is not None:  # '' too: an empty date is a mistake, not "no filter"
        try:
            open_on = date.fromisoformat(open_on).isoformat()
        except ValueError:
            raise UserError(f"--open-on {open_on!r}: use a date like 2024-10-01, or 'today'") from None
    if open_on and status is None:
        status = "active"  # a withdrawn notice is not open for comment, whatever its dates say
    filters = search_index.Filters(source_id=source_id, org=org, team=team, level=level, doc_type=doc_type,
                                   open_on=open_on, status=status)
    with ctx.store() as store:
        ctx.check_source(store, source_id)
        if rebuild:
            count = search_index.rebuild_index(store.db)
            err_console().print(f"search index rebuilt: {count} notices")
        hits = search_index.search(store.db, " ".join(words), filters, limit)
    if as_json:
        from crawler.notice import Notice

        for hit in hits:
            window = Notice(disclosure_start=hit.disclosure_start, disclosure_end=hit.disclosure_end)
            click.echo(json.dumps({**dataclasses.asdict(hit), **window_json(window, today)}, ensure_ascii=False))
        return
    from monitor.cli.display import search_table

    console().print(search_table(hits, " ".join(words), today, width=console().width))


@click.command()
@click.argument("url_or_id")
@click.option("--version", "version_number", type=count_type(), default=None,
              help="Print that version's full text (its fields and body) instead.")
@click.option("--json", "as_json", is_flag=True, help="Versions and their changes as JSON.")
@common_options
def history(ctx: Context, url_or_id: str, version_number: int | None, as_json: bool) -> None:
    """Every stored version of one notice, with fetch times and what changed between them.

    \b
    Examples:
      noticewatch history 12
      noticewatch history 12 --version 1
      noticewatch history https://www.gdjct.gd.gov.cn/xunshizgls/content/post_5628172.html --json
    """
    from monitor.changes import compare_notices

    with ctx.store() as store:
        stored = store.find_notice(url_or_id)
        if stored is None:
            raise UserError(f"no stored notice with id or URL '{url_or_id}' (see `noticewatch notices list`)")
        versions = store.versions(stored.id)
        found = store.events(notice_id=stored.id)
    today = china_today()
    if version_number is not None:
        show_version(stored, versions, version_number, today, as_json)
        return
    steps = [
        (v, compare_notices(prev.notice, v.notice) if prev else None)
        for prev, v in zip([None, *versions[:-1]], versions, strict=True)
    ]
    if as_json:
        out = {
            "id": stored.id,
            "url": stored.notice.url,
            "status": stored.status,
            **window_json(stored.notice, today),
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


def show_version(stored: Any, versions: list[Any], number: int, today: date, as_json: bool) -> None:
    """One version's full text: its fields and body as they were then."""
    chosen = next((v for v in versions if v.version == number), None)
    if chosen is None:
        raise UserError(f"notice {stored.id} has {len(versions)} version(s) (1..{len(versions)}), no version {number}")
    if as_json:
        record = {"id": stored.id, "version": chosen.version, "fetched_at": chosen.fetched_at,
                  "raw_sha256": chosen.raw_sha256, "status": stored.status, **window_json(chosen.notice, today),
                  **chosen.notice.to_dict()}
        click.echo(json.dumps(record, ensure_ascii=False, indent=2))
        return
    from monitor.cli.display import notice_detail

    latest = " (current)" if chosen.version == versions[-1].version else f" (of {len(versions)})"
    console().print(f"[bold]notice {stored.id} — version {chosen.version}{latest}, fetched {chosen.fetched_at}[/]")
    console().print(notice_detail(chosen.notice, today))
    console().rule()
    console().print(chosen.notice.body_text, markup=False, highlight=False)
