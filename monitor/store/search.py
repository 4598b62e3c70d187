"""Full-text search over stored notices, Chinese included.

SQLite's FTS5 tokenizers cannot search Chinese: unicode61 sees a whole run of Han characters as one
token, and trigram finds only substrings of three characters or more (docs/internals.md, "Library facts") — but 横琴 is two.
So the indexed text has every Han character spaced out (one token per character, unicode61), and a
query becomes a phrase of characters: "横 琴" matches the two adjacent characters anywhere. Text is
folded (NFKC, traditional → simplified) on both sides, so 橫琴 finds 横琴.

The index (`notice_search`, contentless: the text lives in `notices` only) is kept by the store on
every insert and new version, and `rebuild_index` recreates it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlite_utils import Database

FTS_TABLE = "notice_search"
COLUMNS = ("title", "body", "org", "team")
WEIGHTS = (10.0, 1.0, 4.0, 4.0)  # bm25 weights, in COLUMNS order: a hit in the title ranks first
_HAN = re.compile(r"([\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002ffff])")
# Runs of Han characters, spaced out in one call per run: the same tokens as `_HAN.sub(r" \1 ")`
# at a fifth of its cost (a template substitution per character was most of `index_text`).
_HAN_RUN = re.compile(_HAN.pattern[1:-1] + "+")
_HAN_RUN_SPLIT = re.compile("(" + _HAN_RUN.pattern + ")")  # runs at the odd indexes of split()


def fold(text: str) -> str:
    """NFKC (full/half width) and traditional → simplified: the form both index and query use.
    The parser's versions of both: the same result, without their cost on text they leave alone
    (most text is simplified already; indexing runs once per stored notice)."""
    from crawler.parser.simplify import to_simplified
    from crawler.parser.text import fold_width

    return to_simplified(fold_width(text or "")).lower()


def index_text(text: str | None) -> str:
    """Folded text with each Han character as its own token. Must stay byte-identical for a given
    text: deleting a row from the FTS index needs the exact text that was indexed.
    (split + join, not `sub` with a callback: ~30 % faster on a notice's body, the writer's top cost.)"""
    parts = _HAN_RUN_SPLIT.split(fold(text or ""))
    parts[1::2] = [" " + " ".join(run) + " " for run in parts[1::2]]
    return "".join(parts)


def document(row: dict[str, Any]) -> tuple[str, str, str, str]:
    """The indexed columns of a notices row (title, body, org, team)."""
    return (index_text(row.get("title")), index_text(row.get("body_text")), index_text(row.get("inspected_org")),
            index_text(row.get("inspection_team")))


def create_index(db: Database) -> None:
    db.execute(
        f"create virtual table if not exists {FTS_TABLE} using fts5("
        f"{', '.join(COLUMNS)}, content='', tokenize='unicode61 remove_diacritics 2')"
    )


def add_document(db: Database, notice_id: int, row: dict[str, Any]) -> None:
    db.execute(f"insert into {FTS_TABLE}(rowid, {', '.join(COLUMNS)}) values (?, ?, ?, ?, ?)",
               [notice_id, *document(row)])


def remove_document(db: Database, notice_id: int, row: dict[str, Any]) -> None:
    """A contentless FTS5 table forgets a document given the exact text it indexed."""
    db.execute(f"insert into {FTS_TABLE}({FTS_TABLE}, rowid, {', '.join(COLUMNS)}) values ('delete', ?, ?, ?, ?, ?)",
               [notice_id, *document(row)])


def rebuild_index(db: Database, batch: int = 500) -> int:
    """Drop and rebuild the whole index from `notices`; returns the number of notices indexed."""
    db.execute(f"drop table if exists {FTS_TABLE}")
    create_index(db)
    count = 0
    rows = db.query("select id, title, body_text, inspected_org, inspection_team from notices order by id")
    pending: list[list[Any]] = []
    for row in rows:
        pending.append([row["id"], *document(row)])
        if len(pending) >= batch:
            count += _flush(db, pending)
    return count + _flush(db, pending)


def _flush(db: Database, pending: list[list[Any]]) -> int:
    if pending:
        db.conn.executemany(f"insert into {FTS_TABLE}(rowid, {', '.join(COLUMNS)}) values (?, ?, ?, ?, ?)", pending)
    count = len(pending)
    pending.clear()
    return count


def match_expression(query: str) -> str | None:
    """'横琴 整改  email@x.cn' → '"横 琴" AND "整 改" AND "email x cn"' (None if nothing to search)."""
    phrases = []
    for term in query.split():
        tokens = re.findall(r"\w+", index_text(term))
        if tokens:
            phrases.append('"' + " ".join(tokens) + '"')
    return " AND ".join(phrases) or None


@dataclass(frozen=True)
class Filters:
    source_id: str | None = None
    org: str | None = None  # substring of inspected_org
    team: str | None = None  # substring of inspection_team
    level: str | None = None  # 巡视 | 巡察
    doc_type: str | None = None
    open_on: str | None = None  # ISO date inside the disclosure window
    status: str | None = None  # active | removed


@dataclass(frozen=True)
class Hit:
    id: int
    title: str | None
    url: str
    source_id: str
    published_at: str | None
    inspected_org: str | None
    inspection_team: str | None
    disclosure_start: str | None
    disclosure_end: str | None
    status: str
    score: float
    snippet: str = field(default="")


# Ranking looks at no more than this many matches, the newest (highest ids) first. bm25 over a word
# in nearly every notice (整改 in 95,000 of 100,000) cost 300 ms and says little: its idf is ~0 and
# the ordering comes down to length. Matches beyond it still count as matches; they rank after.
CANDIDATES = 5000


def search(db: Database, query: str = "", filters: Filters = Filters(), limit: int = 20) -> list[Hit]:
    """Notices matching every word of `query` (any length, Chinese included) and the filters,
    best first (bm25, title hits weighted, among the newest CANDIDATES matches); with no query,
    newest first."""
    clauses, params = _filter_sql(filters)
    expression = match_expression(query) if query.strip() else None
    columns = ("n.id, n.title, n.url, n.source_id, n.published_at, n.inspected_org, n.inspection_team, "
               "n.disclosure_start, n.disclosure_end, n.status, n.body_text")
    terms = query.split()
    if expression:
        # Two steps: rank ids in the index alone (joining notices only when a filter needs it), then
        # read the few winning rows. Reading every match's row (body included) to sort them was
        # most of the cost of a common word.
        join = f" join notices n on n.id = {FTS_TABLE}.rowid" if clauses else ""
        ranked = (f"select {FTS_TABLE}.rowid as id, bm25({FTS_TABLE}, {', '.join(map(str, WEIGHTS))}) as score "
                  f"from {FTS_TABLE}{join} where {FTS_TABLE} match ?{''.join(' and ' + c for c in clauses)} "
                  f"order by {FTS_TABLE}.rowid desc limit {CANDIDATES}")
        top = [(r["id"], r["score"]) for r in db.query(
            f"select id, score from ({ranked}) order by score, id desc limit ?", [expression, *params, limit])]
        if not top:
            return []
        rows = {r["id"]: r for r in db.query(
            f"select {columns} from notices n where n.id in ({', '.join('?' for _ in top)})", [i for i, _ in top])}
        return [_hit({**rows[i], "score": score}, terms) for i, score in top if i in rows]
    if query.strip():
        return []  # only punctuation: nothing can match
    where = f" where {' and '.join(clauses)}" if clauses else ""
    sql = f"select {columns}, 0.0 as score from notices n{where} order by coalesce(n.published_at, '') desc, n.id desc limit ?"
    return [_hit(row, terms) for row in db.query(sql, [*params, limit])]


def _filter_sql(filters: Filters) -> tuple[list[str], list[Any]]:
    clauses: list[str] = []
    params: list[Any] = []
    exact = {"n.source_id": filters.source_id, "n.inspection_level": filters.level, "n.doc_type": filters.doc_type,
             "n.status": filters.status}
    for column, value in exact.items():
        if value:
            clauses.append(f"{column} = ?")
            params.append(value)
    for column, value in (("n.inspected_org", filters.org), ("n.inspection_team", filters.team)):
        if value:
            clauses.append(f"instr({column}, ?) > 0")
            params.append(value)
    if filters.open_on:
        clauses.append("n.disclosure_end >= ? and coalesce(n.disclosure_start, n.disclosure_end) <= ?")
        params += [filters.open_on, filters.open_on]
    return clauses, params


def _hit(row: dict[str, Any], terms: Iterable[str]) -> Hit:
    body = row.pop("body_text") or ""
    return Hit(**row, snippet=snippet(body, list(terms)))


def snippet(body: str, terms: list[str], width: int = 60) -> str:
    """Text around the first occurrence of a query word (folded comparison), else the opening."""
    folded = fold(body)
    for term in terms:
        at = folded.find(fold(term))
        if at >= 0:
            start = max(0, at - width // 2)
            text = body[start : start + width].replace("\n", " ")
            return ("…" if start else "") + text + ("…" if start + width < len(body) else "")
    return body[:width].replace("\n", " ") + ("…" if len(body) > width else "")
