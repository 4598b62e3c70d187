"""Sources with problems, for the digest: blocked, layout broke, failing, or silent, each with a hint.

`source_problems` is pure (facts + now → problems); `read_source_facts` gathers the facts from the
store: the latest crawl run per source (status and its problem lines, "kind: message (url)", written
by crawler/kinds/base.py), the last successful crawl, the newest notice, and — when the daemon's
tables exist (schema m004) — paused domains and the daemon's failure streaks.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

# What to do, per kind. {id} is the source id.
HINTS = {
    "blocked": "the site served a challenge or ban page and noticewatch paused that domain; try again later, "
               "or lower the rate (raise download_delay for {id})",
    "paused": "noticewatch stopped asking this domain after repeated failures in one crawl; it resumes on the "
              "next run — if it keeps happening, raise download_delay for {id}",
    "list_empty": "the list layout may have changed: run `noticewatch sources check {id}` and adjust "
                  "selectors.list if needed",
    "list_missing": "the list page is gone (404): the column may have moved; find its new address and update "
                    "start_urls of {id}",
    "list_failed": "the list page could not be fetched: open it in a browser, then run "
                   "`noticewatch sources check {id}`",
    "list_page_failed": "a later list page could not be fetched; notices further back may be missed until it "
                        "works again",
    "spider_error": "the crawl of {id} hit an error in its own code on an answer it did not expect (the "
                    "problem line names it); nothing from that page was stored — report it with `noticewatch "
                    "sources check {id} -vv`",
    "not_html": "the site answered with something that is not a page (a PDF, an image, data) where a page "
                "was expected; open the address in a browser",
    "failing": "the last crawl did not complete: see `noticewatch status` and the log",
    "silent": "check that the site still publishes here (open it in a browser) and that the daemon runs "
              "(`noticewatch status`)",
    "quiet": "a quiet column is normal; if the site shows newer notices, run `noticewatch sources check {id}`",
}
PROBLEM_ORDER = ("blocked", "spider_error", "list_missing", "list_empty", "list_failed", "not_html", "paused",
                 "failing", "silent", "quiet", "list_page_failed")
RUN_KINDS = frozenset(HINTS) - {"failing", "silent", "quiet"}


@dataclass(frozen=True)
class SourceProblem:
    source_id: str
    source_name: str
    kind: str  # blocked | list_missing | list_empty | list_failed | paused | failing | silent | quiet | …
    detail: str  # what was seen, one line
    hint: str  # what to do
    since: str | None = None  # when it was seen (the run's start, the pause, the last success)


@dataclass(frozen=True)
class SourceFacts:
    source_id: str
    name: str
    first_seen: str | None
    last_run: dict[str, Any] | None  # the latest crawl run row (status, started_at, problems JSON)
    last_success: str | None  # finished_at of the latest completed crawl run
    newest_notice: str | None  # first_seen of the source's newest notice
    pause: dict[str, Any] | None = None  # a domain_pauses row in force


def source_problems(facts: Iterable[SourceFacts], now: datetime, silent_after_days: int) -> tuple[SourceProblem, ...]:
    out: list[SourceProblem] = []
    for fact in facts:
        out.extend(_problems_of(fact, now, silent_after_days))
    return tuple(sorted(out, key=lambda p: (p.source_name, p.source_id, PROBLEM_ORDER.index(p.kind)
                                           if p.kind in PROBLEM_ORDER else 99)))


def _problems_of(fact: SourceFacts, now: datetime, days: int) -> list[SourceProblem]:
    found: dict[str, SourceProblem] = {}

    def add(kind: str, detail: str, since: str | None) -> None:
        if kind not in found:
            found[kind] = SourceProblem(fact.source_id, fact.name, kind, detail,
                                        HINTS.get(kind, HINTS["failing"]).format(id=fact.source_id), since)

    if fact.pause:
        add("blocked", f"domain {fact.pause.get('domain')} paused until {fact.pause.get('paused_until')}: "
                       f"{fact.pause.get('reason') or 'challenge page'}", fact.pause.get("paused_at"))
    run = fact.last_run
    if run:
        lines = _problem_lines(run.get("problems"))
        by_kind: dict[str, list[str]] = {}
        for line in lines:
            kind, _, message = line.partition(": ")
            if kind in RUN_KINDS:
                by_kind.setdefault(kind, []).append(message or line)
        for kind, messages in by_kind.items():
            more = f" (+{len(messages) - 1} more)" if len(messages) > 1 else ""
            add(kind, messages[0] + more, run.get("started_at"))
        if run.get("status") in ("failed", "aborted") and not by_kind:
            first = lines[0] if lines else "no problem was recorded"
            add("failing", f"last crawl {run.get('status')}: {first}", run.get("started_at"))
    cutoff = now - timedelta(days=days)
    if fact.last_success is None:
        if fact.first_seen and _before(fact.first_seen, cutoff):
            add("silent", f"no successful crawl since the source was added ({fact.first_seen[:10]})", None)
    elif _before(fact.last_success, cutoff):
        add("silent", f"no successful crawl for {_age(fact.last_success, now)} days "
                      f"(last: {fact.last_success[:10]})", fact.last_success)
    elif fact.newest_notice and _before(fact.newest_notice, cutoff):
        add("quiet", f"no new notice for {_age(fact.newest_notice, now)} days "
                     f"(newest first seen {fact.newest_notice[:10]})", fact.newest_notice)
    return list(found.values())


def read_source_facts(store: Any, now: datetime, source_ids: Sequence[str] | None = None) -> list[SourceFacts]:
    """Facts for every source in the store (or only `source_ids`); reads daemon tables if present."""
    tables = set(store.db.table_names())
    sources = list(store.rows("select id, name, first_seen from sources order by id"))
    if source_ids is not None:
        wanted = set(source_ids)
        sources = [s for s in sources if s["id"] in wanted]
    pauses: dict[str, dict[str, Any]] = {}
    if "domain_pauses" in tables:
        for row in store.rows("select * from domain_pauses where paused_until > ? order by paused_at",
                              [now.isoformat()]):
            if row.get("source_id"):
                pauses[row["source_id"]] = row
    facts = []
    for s in sources:
        last = next(iter(store.rows("select * from runs where source_id = ? and coalesce(mode, '') != 'recheck' "
                                    "and status != 'running' order by started_at desc, id desc limit 1", [s["id"]])), None)
        success = next(iter(store.rows("select max(finished_at) as t from runs where source_id = ? and "
                                       "status = 'completed' and coalesce(mode, '') != 'recheck'", [s["id"]])))
        newest = next(iter(store.rows("select max(first_seen) as t from notices where source_id = ?", [s["id"]])))
        facts.append(SourceFacts(s["id"], s["name"] or s["id"], s["first_seen"], last, success["t"], newest["t"],
                                 pauses.get(s["id"])))
    return facts


def _problem_lines(raw: Any) -> list[str]:
    if isinstance(raw, list):
        return [str(x) for x in raw]
    try:
        value = json.loads(raw or "[]")
    except (TypeError, ValueError):
        return [str(raw)]
    return [str(x) for x in value] if isinstance(value, list) else [str(value)]


def _parse(text: str) -> datetime | None:
    try:
        moment = datetime.fromisoformat(text)
    except (TypeError, ValueError):
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)  # the store writes UTC


def _before(text: str, cutoff: datetime) -> bool:
    moment = _parse(text)
    return moment is not None and moment < cutoff


def _age(text: str, now: datetime) -> int:
    moment = _parse(text)
    return (now - moment).days if moment else 0
