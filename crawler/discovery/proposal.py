"""From what discovery saw to config entries: score each column by its list titles, propose the
ones that carry inspection notices, best first, each with why. Pure.

A column is proposed when at least one of its list titles looks like a rectification notice or an
inspection announcement (crawler.relevance.title_score >= 2). Its score is the sum of its titles'
scores (a notice's title 3, an announcement's 2, another title naming 巡视/巡察 1), so a column full
of notices outranks a generic one with a few. A column where at least half the titles count is
dedicated (fetched whole); otherwise generic, and its entry gets `keywords` so only matching
entries are fetched (crawler/relevance.py).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import yaml

from crawler.relevance import title_score

Entry = tuple[str, str | None, str | None]
GENERIC_KEYWORDS = ("巡视", "巡察")
_SLUG = re.compile(r"[^a-z0-9]+")


@dataclass(frozen=True)
class ColumnFinding:
    """One column (or gkmlpt category) discovery looked at."""

    url: str  # the list page; for gkmlpt the index page
    status: str  # list | dead (404) | blocked | failed | no_list
    kind: str | None = None
    entries: tuple[Entry, ...] = ()
    evidence: str = ""
    name: str | None = None
    site_name: str | None = None
    column_id: str | None = None  # NFCMS column id (page variables)
    category: str | None = None  # gkmlpt category name
    via: str = ""  # how it was found: the link text that led to it
    selectors: dict[str, str] | None = None  # html_list: the guessed selectors
    detail_pattern: str | None = None  # html_list: the detail links' URL shape


@dataclass(frozen=True)
class Proposal:
    source: dict[str, Any]  # a ready config.yaml entry
    score: int
    relevant: int  # list titles that look like a notice or an announcement
    total: int  # list titles seen
    dedicated: bool
    why: str
    examples: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "score": self.score,
            "relevant_titles": self.relevant,
            "titles_seen": self.total,
            "dedicated": self.dedicated,
            "why": self.why,
            "examples": list(self.examples),
        }


@dataclass(frozen=True)
class Discovery:
    start_url: str
    requests: int  # requests discovery made (robots.txt aside)
    families: tuple[str, ...]  # CMS families recognised, most frequent first
    proposals: tuple[Proposal, ...]  # best first
    passed_over: tuple[tuple[str, str], ...] = field(default=())  # (url, why not proposed)

    def to_dict(self) -> dict[str, Any]:
        return {
            "start_url": self.start_url,
            "requests": self.requests,
            "families": list(self.families),
            "proposals": [p.to_dict() for p in self.proposals],
            "passed_over": [{"url": u, "why": w} for u, w in self.passed_over],
        }


def slug(text: str) -> str:
    return _SLUG.sub("_", text.lower()).strip("_")


def source_id(finding: ColumnFinding) -> str:
    """`<host>_<column path>` in config-id letters: www.hengqin.gov.cn /zwgk/tzgg/ → hengqin_zwgk_tzgg."""
    parts = urlsplit(finding.url)
    host = parts.hostname or "site"
    labels = [x for x in host.split(".") if x not in ("www", "m", "gov", "cn", "com", "org", "net", "gd")]
    prefix = "site" if host.replace(".", "").isdigit() else slug(labels[0] if labels else host)
    path = parts.path.rsplit("/", 1)[0] if not parts.path.endswith("/") else parts.path
    tail = slug(path.replace("gkmlpt/index", "gkmlpt")) or "home"
    if finding.kind == "gkmlpt":
        tail = f"gkmlpt_{slug(finding.column_id or '') or 'catalogue'}"
    return f"{prefix}_{tail}"[:60].strip("_")


def _entry(finding: ColumnFinding, dedicated: bool, max_pages: int) -> dict[str, Any]:
    name = " · ".join(x for x in (finding.site_name, finding.name or finding.via) if x) or finding.url
    entry: dict[str, Any] = {"id": source_id(finding), "name": name, "kind": finding.kind}
    if finding.kind == "gkmlpt":
        parts = urlsplit(finding.url)
        entry["start_urls"] = [f"{parts.scheme}://{parts.netloc}/gkmlpt/index"]
        entry["categories"] = [finding.category]
    else:
        entry["start_urls"] = [finding.url]
    if finding.kind == "nfcms" and finding.column_id:
        entry["column_id"] = int(finding.column_id)
    if finding.kind == "html_list":
        entry["selectors"] = dict(finding.selectors or {})
        entry["detail_pattern"] = finding.detail_pattern
    entry["max_pages"] = max_pages
    if not dedicated:
        entry["keywords"] = list(GENERIC_KEYWORDS)
    return entry


def propose(
    findings: Iterable[ColumnFinding], max_pages: int = 3
) -> tuple[list[Proposal], list[tuple[str, str]]]:
    """Proposals best first, and the columns passed over with why."""
    proposals: list[tuple[float, Proposal]] = []
    passed: list[tuple[str, str]] = []
    for finding in findings:
        if finding.status != "list" or not finding.kind:
            passed.append(
                (
                    finding.url,
                    {"dead": "HTTP 404 (a dead column)", "blocked": "blocked"}.get(
                        finding.status, finding.evidence or finding.status
                    ),
                )
            )
            continue
        titles = [t for _, t, _ in finding.entries if t]
        scores = [title_score(t) for t in titles]
        relevant = sum(1 for s in scores if s >= 2)
        if not relevant:
            why = f"{finding.evidence}; none of its {len(titles)} list titles looks like an inspection notice"
            passed.append((finding.url, why))
            continue
        dedicated = relevant * 2 >= len(titles)
        examples = tuple(t for t, s in zip(titles, scores, strict=True) if s >= 2)[:3]
        role = (
            "dedicated column: every entry fetched"
            if dedicated
            else (f"generic column: only titles with {'/'.join(GENERIC_KEYWORDS)} fetched")
        )
        why = f"{finding.evidence}; {relevant} of {len(titles)} list titles look like inspection notices ({role})"
        proposal = Proposal(
            _entry(finding, dedicated, max_pages),
            sum(scores),
            relevant,
            len(titles),
            dedicated,
            why,
            examples,
        )
        proposals.append((relevant / max(1, len(titles)), proposal))
    proposals.sort(key=lambda sp: (-sp[1].score, -sp[0], sp[1].source["id"]))
    return _unique_ids([p for _, p in proposals]), passed


def _unique_ids(proposals: Sequence[Proposal], taken: Iterable[str] = ()) -> list[Proposal]:
    used = set(taken)
    out = []
    for p in proposals:
        base = p.source["id"]
        sid, n = base, 2
        while sid in used:
            sid, n = f"{base}_{n}", n + 1
        used.add(sid)
        out.append(p if sid == base else Proposal({**p.source, "id": sid}, *_rest(p)))
    return out


def _rest(p: Proposal) -> tuple[Any, ...]:
    return (p.score, p.relevant, p.total, p.dedicated, p.why, p.examples)


def with_ids_free(proposals: Sequence[Proposal], taken: Iterable[str]) -> list[Proposal]:
    """The proposals renamed (`_2`, `_3`…) where their id is `taken` already (an existing config)."""
    return _unique_ids(proposals, taken)


def render_entry(proposal: Proposal, start_url: str, day: str, indent: str = "  ") -> str:
    """One proposal as config.yaml text: a comment saying what it rests on, then the entry."""
    body = yaml.safe_dump(
        [proposal.source], allow_unicode=True, sort_keys=False, default_flow_style=None, width=200
    )
    comment = f"{indent}# Based on: noticewatch discover {start_url} ({day}): {proposal.why}.\n" + "".join(
        f"{indent}#   e.g. {t}\n" for t in proposal.examples[:2]
    )
    return comment + "".join(f"{indent}{line}\n" for line in body.splitlines())
