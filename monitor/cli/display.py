"""Terminal output (rich): notice tables, one notice, crawl summaries. Text only, no logic.

Imported by the commands only when they print to the terminal (not for --json), and never imports
Scrapy: crawl results are only read here.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import TYPE_CHECKING

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from crawler.links import redact
from crawler.notice import NOTICE_FIELDS, Notice
from monitor.store.records import StoredNotice
from monitor.window import describe_window, window_status

if TYPE_CHECKING:
    from rich.console import Console

    from monitor.crawl.runner import CrawlResult

WINDOW_STYLE = {
    "open": "green",
    "closing soon": "bold yellow",
    "upcoming": "cyan",
    "closed": "dim",
    "unknown": "dim",
}


NARROW = 100  # below this many columns, tables drop their organisation column (merged into the title cell)
REMOVED_MARK = "[removed] "


def notices_table(rows: Sequence[StoredNotice | Notice], today: date, title: str | None = None,
                  width: int | None = None) -> Table:
    """Title (marked when removed); organisation and team; the window and its status. Readable at 80
    columns: below NARROW the organisation goes under the title, and no date is ever cut."""
    narrow = width is not None and width < NARROW
    table = Table(title=title, show_lines=True, expand=True, title_justify="left")
    table.add_column("id", justify="right", style="dim", no_wrap=True)
    table.add_column("title" + (" · inspected" if narrow else ""), ratio=5, overflow="fold")
    if not narrow:
        table.add_column("inspected · team", ratio=3, overflow="fold")
    table.add_column("window", no_wrap=True, min_width=12)
    for index, row in enumerate(rows, 1):
        notice = row.notice if isinstance(row, StoredNotice) else row
        ident = str(row.id) if isinstance(row, StoredNotice) else str(index)
        title_text = Text(REMOVED_MARK, style="bold red") if getattr(row, "status", "active") == "removed" else Text()
        if notice.doc_type != "rectification_notice":
            title_text.append(f"[{notice.doc_type}] ", style="dim")
        title_text.append(notice.title or notice.url or "(untitled)")
        who = "\n".join(v for v in (notice.inspected_org, notice.inspection_team) if v)
        if narrow and who:
            title_text.append(f"\n{who}", style="italic")
        if notice.published_at:
            title_text.append(f"\n{notice.published_at}", style="dim")
        cells = [ident, title_text] + ([] if narrow else [Text(who)]) + [window_cell(notice, today)]
        table.add_row(*cells)
    return table


def window_cell(notice: Notice, today: date) -> Text:
    """'2024-09-26 →\n2024-10-25\nopen\n12 days left': one short line each (a date is never cut)."""
    status = window_status(notice, today)
    if not notice.disclosure_end:
        return Text("none stated", style=WINDOW_STYLE[status])
    text = f"{notice.disclosure_start or '?'} →\n{notice.disclosure_end}\n{status}"
    end = date.fromisoformat(notice.disclosure_end) if status in ("open", "closing soon") else None
    if end is not None:
        days = (end - today).days
        text += "\ncloses today" if days == 0 else f"\n{days} day{'s' if days != 1 else ''} left"
    return Text(text, style=WINDOW_STYLE[status])


def notice_detail(stored: StoredNotice | Notice, today: date) -> Table:
    notice = stored.notice if isinstance(stored, StoredNotice) else stored
    table = Table(show_header=False, box=None, pad_edge=False)
    table.add_column("field", style="bold", no_wrap=True)
    table.add_column("value")
    for name in NOTICE_FIELDS:
        if name == "body_text":
            continue
        value = getattr(notice, name)
        if isinstance(value, tuple):
            # Headings and warnings read best one per line; phones and e-mails fit on one.
            value = "\n".join(value) if name in ("outline", "warnings") else ", ".join(value)
        table.add_row(name, Text("" if value is None else str(value)))  # scraped text: never rich markup
    table.add_row("window", Text(describe_window(notice, today)))
    if isinstance(stored, StoredNotice):
        removed = stored.status == "removed"
        table.add_row("status", Text("removed (withdrawn from the site)" if removed else stored.status,
                                     style="bold red" if removed else ""))
        table.add_row("versions", str(stored.version_count))
        table.add_row("first seen", stored.first_seen)
        table.add_row("last seen", stored.last_seen)
    return table


# Above this many sources the crawl summary lists only those with something to say (not completed,
# problems, changes), at most SUMMARY_ROWS of them, after a totals line; --list-all lists every one.
SUMMARY_ALL_UP_TO = 20
SUMMARY_ROWS = 50
PROBLEM_LINES = 50  # problem lines printed after a summary that is cut the same way


def notable(r: CrawlResult) -> bool:
    return r.status != "completed" or bool(r.problems or r.new or r.changed or r.removed or r.restored or r.moved)


def crawl_summary(results: Sequence[CrawlResult], list_all: bool = False) -> RenderableType:
    """A row per source; at more than SUMMARY_ALL_UP_TO sources (unless `list_all`) a totals line
    and only the notable sources, failures first, at most SUMMARY_ROWS: bounded at any N."""
    cut = not list_all and len(results) > SUMMARY_ALL_UP_TO
    rows = results
    if cut:
        rows = sorted((r for r in results if notable(r)), key=lambda r: (r.status == "completed", -len(r.problems)))
    table = Table(title="crawl summary", title_justify="left")
    table.add_column("source", overflow="fold")
    table.add_column("status", min_width=9)
    # Short headings so the table fits 80 columns: requests, new, updated, unchanged, known (not
    # re-fetched), moved, removed, problems.
    for column in ("req", "new", "upd", "same", "known", "mv", "gone", "prob"):
        table.add_column(column, justify="right")
    for r in rows[:SUMMARY_ROWS] if cut else rows:
        style = {"completed": "green", "failed": "red", "aborted": "yellow"}.get(r.status, "")
        counts = (r.requests, r.new, r.changed, r.unchanged, r.skipped, r.moved, r.removed, len(r.problems))
        table.add_row(r.source_id, Text(r.check or r.status, style=style), *map(str, counts))
    table.caption = "req requests · upd updated · same unchanged · known listed, not re-fetched · mv moved · gone removed"
    if len(results) <= SUMMARY_ALL_UP_TO:
        return table
    hidden = len(results) - min(len(rows), SUMMARY_ROWS) if cut else 0
    return Group(crawl_totals(results, hidden), *([table] if rows else []))


def crawl_totals(results: Sequence[CrawlResult], hidden: int = 0) -> Text:
    """'1,000 sources: 990 completed, 10 failed · 120 new · 4 updated · 3 with problems' and what
    the table leaves out."""
    statuses: dict[str, int] = {}
    for r in results:
        statuses[r.status] = statuses.get(r.status, 0) + 1
    text = Text(f"{len(results):,} sources: ", style="bold")
    text.append(", ".join(f"{n:,} {status}" for status, n in sorted(statuses.items(), key=lambda kv: -kv[1])))
    sums = {"new": sum(r.new for r in results), "updated": sum(r.changed for r in results),
            "removed": sum(r.removed for r in results), "restored": sum(r.restored for r in results),
            "moved": sum(r.moved for r in results)}
    text.append("".join(f" · {n:,} {what}" for what, n in sums.items() if n or what in ("new", "updated")))
    troubled = sum(1 for r in results if r.problems)
    if troubled:
        text.append(f" · {troubled:,} with problems", style="yellow")
    if hidden:
        text.append(f"\n{hidden:,} source(s) not listed (completed, nothing new, no problems, or past the "
                    f"first {SUMMARY_ROWS}); --list-all lists every source", style="dim")
    return text


def print_problems(console: Console, results: Sequence[CrawlResult], list_all: bool = False) -> None:
    """Each problem on its own line; after a summary that was cut, at most PROBLEM_LINES of them."""
    limit = None if list_all or len(results) <= SUMMARY_ALL_UP_TO else PROBLEM_LINES
    printed = total = 0
    for r in results:
        for problem in r.problems:
            total += 1
            if limit is None or printed < limit:
                console.print(Text(f"  {r.source_id}: {problem}", style="yellow"))
                printed += 1
    if total > printed:
        console.print(Text(f"  … and {total - printed:,} more problem line(s); --list-all prints every one",
                           style="yellow"))


def sources_table(config, store) -> Table:  # noqa: ANN001 - Config, Store | None
    table = Table(title=f"sources in {config.path}", title_justify="left")
    for column in ("id", "kind", "name", "start URLs", "schedule", "notices", "last run"):
        table.add_column(column)
    for source in config.sources:
        notices = last = ""
        if store is not None:
            notices = str(
                next(store.rows("select count(*) n from notices where source_id = ?", [source.id]))["n"]
            )
            # The newest in the order of idx_runs_source_id_started_at (rowid breaks ties), read
            # off the index; "order by id desc" sorted every run of the source (0.4 s at 175k runs).
            run = next(
                store.rows(
                    "select status, started_at from runs where source_id = ? "
                    "order by started_at desc, id desc limit 1",
                    [source.id],
                ),
                None,
            )
            last = f"{run['started_at']} {run['status']}" if run else "never"
        name = source.name + ("" if source.enabled else " (disabled)")
        table.add_row(
            source.id, source.kind, name, "\n".join(map(redact, source.start_urls)), source.schedule, notices, last
        )
    return table


EVENT_STYLE = {"new": "green", "changed": "yellow", "removed": "bold red", "restored": "cyan", "moved": "magenta"}


def events_table(events: Sequence, width: int | None = None) -> Table:  # noqa: ANN001 - Sequence[Event]
    """Events oldest first; below NARROW columns the source moves into the 'what' cell and the time
    loses its seconds and zone (never its date)."""
    narrow = width is not None and width < NARROW
    table = Table(title=f"{len(events)} event(s)", title_justify="left", expand=True)
    table.add_column("id", justify="right", style="dim", no_wrap=True)
    table.add_column("detected", no_wrap=True)
    table.add_column("kind", no_wrap=not narrow)
    if not narrow:
        table.add_column("source", no_wrap=True)
    table.add_column("what", ratio=1, overflow="fold")
    for event in events:
        flag = ("\n" if narrow else " ") + "(window open!)" if event.window_open else ""
        kind = Text(event.kind + flag, style=EVENT_STYLE.get(event.kind, ""))
        what = Text(f"{event.source_id}\n", style="dim") if narrow else Text()
        what.append(event.summary)
        if event.diff:
            what.append("\n" + event.diff, style="dim")
        detected = event.detected_at[:16].replace("T", " ") if narrow else event.detected_at
        table.add_row(str(event.id), detected, kind, *([] if narrow else [event.source_id]), what)
    return table


def history_view(stored: StoredNotice, steps: Sequence, events: Sequence) -> Table:  # noqa: ANN001
    title = Text(f"{stored.notice.title or stored.notice.url} — {stored.status}")  # scraped: not markup
    table = Table(title=title, title_justify="left", expand=True)
    table.add_column("version", justify="right", no_wrap=True)
    table.add_column("fetched", no_wrap=True)
    table.add_column("content hash", no_wrap=True, style="dim")
    table.add_column("changes", ratio=1)
    for version, change in steps:
        if change is None:
            what = Text("first version" if version.version == 1 else "(same content)")
        else:
            what = Text(change.summary())
            if change.body.changed:
                what.append("\n" + change.body.render(), style="dim")
        table.add_row(str(version.version), version.fetched_at, version.content_hash[:12], what)
    for event in events:
        if event.kind in ("removed", "restored", "moved"):
            table.add_row("", event.detected_at, "", Text(event.summary, style=EVENT_STYLE[event.kind]))
    return table


def recheck_summary(results: Sequence) -> Table:  # noqa: ANN001 - Sequence[RecheckResult]
    table = Table(title="re-check summary", title_justify="left")
    columns = ("unchanged", "changed", "restored", "failing", "removed", "blocked", "error")
    table.add_column("source")
    table.add_column("requests", justify="right")
    for column in columns:
        table.add_column(column, justify="right")
    for r in results:
        table.add_row(r.source_id, str(r.requests), *(str(r.outcomes.get(c, 0)) for c in columns))
    return table


def search_table(hits: Sequence, query: str, today: date, width: int | None = None) -> Table:  # noqa: ANN001
    """Hits (Sequence[Hit]) best first; readable at 80 columns as notices_table is."""
    narrow = width is not None and width < NARROW
    title = f"{len(hits)} match(es)" + (f" for {query}" if query else "")
    table = Table(title=title, title_justify="left", expand=True)
    table.add_column("id", justify="right", style="dim", no_wrap=True)
    if not narrow:
        table.add_column("published", no_wrap=True)
    table.add_column("title / excerpt", ratio=3)
    if not narrow:
        table.add_column("inspected org", ratio=1)
    table.add_column("window", no_wrap=True, min_width=12)
    for hit in hits:
        notice = Notice(title=hit.title, disclosure_start=hit.disclosure_start, disclosure_end=hit.disclosure_end)
        text = Text(REMOVED_MARK, style="bold red") if hit.status == "removed" else Text()
        text.append(hit.title or hit.url, style="bold")
        if narrow:
            text.append("\n" + " · ".join(v for v in (hit.published_at, hit.inspected_org) if v), style="italic")
        if hit.snippet:
            text.append("\n" + hit.snippet, style="dim")
        cells = [str(hit.id)] + ([] if narrow else [hit.published_at or ""]) + [text]
        cells += ([] if narrow else [Text(hit.inspected_org or "")]) + [window_cell(notice, today)]
        table.add_row(*cells)
    return table
