"""Fill a store with N realistic notices, their versions, events and runs: a benchmark fixture.

    .venv/bin/python bench/fill_store.py --notices 100000 --db bench/.cache/store.db [--sources 40]

The notices are the replica's generated ones (replica.generator: rectification notices and ~10 %
news), spread over SOURCES sources and the three years before `--now` (default: now). Every source
is crawled every 24/RUNS_PER_DAY hours (one `runs` row each); a notice is first fetched by its
source's first run after publication. Then, in realistic proportions: ~10 % of notices are edited
once or twice (window extended, a figure corrected, a title fixed), ~1.2 % are withdrawn (three
failed fetches, some while their window is open), a third of those come back, ~0.4 % move to a new
URL; a few runs fail and one source ends blocked.

Everything goes through the real store (`Store.save_item`, `record_failure`), in chronological order,
so the notices, versions, events and search index are exactly what the store writes; only the
transactions are batched (thousands of fetches per commit) and `runs` rows are bulk-inserted.
`cached_store` keeps the file under bench/.cache/ between runs, keyed by size, seed and FILL_VERSION.
"""

from __future__ import annotations

import argparse
import bisect
import datetime as dt
import hashlib
import json
import random
import re
import sqlite3
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from crawler.items import DetailFailure, NoticeItem  # noqa: E402
from crawler.notice import Notice  # noqa: E402
from crawler.parser import content_hash  # noqa: E402
from monitor.store.db import Store  # noqa: E402
from monitor.store.records import RUN_COUNTERS  # noqa: E402
from replica.generator import generate_news, generate_notices  # noqa: E402
from replica.model import ReplicaNotice  # noqa: E402

FILL_VERSION = 1  # bump when the fixture's content changes: cached files are then rebuilt
CACHE = ROOT / "bench" / ".cache"
YEARS = 3
BATCH = 2000  # fetches per transaction
CST = dt.timezone(dt.timedelta(hours=8))

# Realistic portals (docs/portals.md): discipline-inspection, city, district and bureau sites.
DOMAINS = (
    "www.gdjct.gd.gov.cn", "www.zhuhai.gov.cn", "www.hengqin.gov.cn", "www.jinwan.gov.cn",
    "www.doumen.gov.cn", "www.xiangzhou.gov.cn", "www.heyuan.gov.cn", "www.gz.gov.cn",
    "www.sz.gov.cn", "www.foshan.gov.cn", "www.dg.gov.cn", "www.zs.gov.cn", "www.jiangmen.gov.cn",
    "www.huizhou.gov.cn", "www.shantou.gov.cn", "www.meizhou.gov.cn", "www.zhanjiang.gov.cn",
    "www.maoming.gov.cn", "www.zhaoqing.gov.cn", "www.qingyuan.gov.cn",
)
COLUMNS = ("xunshizgls", "xsxc", "zwgk/xcgk", "ztzl/xczg")


@dataclass
class FillSummary:
    path: str
    notices: int
    sources: int
    seed: int
    now: str  # ISO UTC: the store's "present"; figures that depend on time use it
    versions: int = 0
    runs: int = 0
    events: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    fill_version: int = FILL_VERSION
    source_ids: list[str] = field(default_factory=list)

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False, indent=2)


@dataclass(frozen=True)
class _Action:
    at: dt.datetime  # UTC
    seq: int  # tie-break: keeps a notice's own steps in order
    kind: str  # fetch | fail
    source: int
    run: int  # index into the source's run grid
    url: str
    notice: Notice | None = None


def fill_store(path: Path, notices: int = 100_000, sources: int = 40, seed: int = 1,
               now: dt.datetime | None = None, runs_per_day: int = 4, progress: bool = False) -> FillSummary:
    """Create `path` (it must not exist) and fill it; returns what was written."""
    started = time.perf_counter()
    path = Path(path)
    if path.exists():
        raise FileExistsError(f"{path}: exists; fill_store writes a fresh store (delete it first)")
    now = (now or dt.datetime.now(dt.UTC)).replace(microsecond=0)
    rng = random.Random(seed)
    first_day = (now - dt.timedelta(days=365 * YEARS)).date()
    period = dt.timedelta(hours=24 / runs_per_day)
    grid_start = dt.datetime.combine(first_day, dt.time(), dt.UTC)
    source_ids = [f"{DOMAINS[i % len(DOMAINS)].split('.')[1]}_{COLUMNS[i // len(DOMAINS) % len(COLUMNS)].replace('/', '_')}"
                  + (f"_{i // (len(DOMAINS) * len(COLUMNS))}" if i >= len(DOMAINS) * len(COLUMNS) else "")
                  for i in range(sources)]
    # Each source's crawl times: a regular grid, staggered between sources.
    grids = [[grid_start + period * (k + i / sources) for k in range(int((now - grid_start) / period))]
             for i in range(sources)]

    actions: list[_Action] = []
    seq = 0
    per_source = [notices // sources + (1 if i < notices % sources else 0) for i in range(sources)]
    for i, count in enumerate(per_source):
        base = f"http://{DOMAINS[i % len(DOMAINS)]}/{COLUMNS[i // len(DOMAINS) % len(COLUMNS)]}/content/"
        news = count // 10
        items = [*generate_notices(count - news, seed=seed * 1000 + i, start_id=1_000_000 * (i + 1),
                                   published_between=(first_day, now.date() - dt.timedelta(days=1))),
                 *generate_news(news, seed=seed * 1000 + i, start_id=1_000_000 * (i + 1) + 500_000)]
        for item in items:
            seq += 1
            actions += _timeline(rng, item, i, source_ids[i], base, grids[i], seq)
    actions.sort(key=lambda a: (a.at, a.seq))

    summary = FillSummary(str(path), notices, sources, seed, now.isoformat(), source_ids=source_ids)
    with Store(path) as store:
        for i, source_id in enumerate(source_ids):
            domain = DOMAINS[i % len(DOMAINS)]
            store.sync_source(source_id, f"{domain} {COLUMNS[i // len(DOMAINS) % len(COLUMNS)]}", "nfcms",
                              [f"http://{domain}/{COLUMNS[i // len(DOMAINS) % len(COLUMNS)]}/index.html"])
        run_ids = _insert_runs(store, rng, source_ids, grids, now)
        summary.runs = sum(len(g) for g in grids)
        conn = store.db.conn
        for start in range(0, len(actions), BATCH):
            conn.execute("BEGIN IMMEDIATE")  # save_item's own transactions ride on this one
            for action in actions[start : start + BATCH]:
                run_id = run_ids[action.source][action.run]
                stamp = action.at.isoformat()
                if action.kind == "fetch":
                    assert action.notice is not None
                    store.save_item(NoticeItem(
                        source_ids[action.source], action.url, action.notice, stamp,
                        hashlib.sha256(f"{action.url}{action.notice.content_hash}".encode()).hexdigest(),
                        list_title=action.notice.title, list_date=action.notice.published_at), run_id)
                else:
                    store.record_failure(DetailFailure(source_ids[action.source], action.url, "HTTP 404", "gone",
                                                       stamp), run_id, today=action.at.astimezone(CST).date())
            conn.execute("COMMIT")
            if progress:
                print(f"  {min(start + BATCH, len(actions))}/{len(actions)} fetches stored", file=sys.stderr,
                      flush=True)
        _finish_runs(store, rng, source_ids, grids)
        summary.versions = store.count("notice_versions")
        summary.events = {r["kind"]: r["n"] for r in store.rows(
            "select kind, count(*) as n from events group by kind order by kind")}
        store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    summary.seconds = round(time.perf_counter() - started, 1)
    return summary


def _timeline(rng: random.Random, item: ReplicaNotice, source: int, source_id: str, base: str,
              grid: list[dt.datetime], seq: int) -> list[_Action]:
    """A notice's life: first fetch, maybe edits, a withdrawal (and a return), a move."""
    published = dt.datetime.fromisoformat(item.published).replace(tzinfo=CST).astimezone(dt.UTC)
    run = bisect.bisect_left(grid, published)
    if run >= len(grid):
        run = len(grid) - 1
    url = f"{base}post_{item.post_id}.html"
    notice = Notice.from_dict({**item.expected, "url": url, "source_id": source_id, "body_text": item.body_text,
                               "content_hash": content_hash(item.body_text),
                               "disclosure_basis": "calendar_range" if item.expected.get("disclosure_end") else None})
    out = [_Action(grid[run], seq * 100, "fetch", source, run, url, notice)]

    def later(days_min: float, days_max: float) -> int | None:
        nonlocal run
        step = int(rng.uniform(days_min, days_max) * len(grid) / max(1, (grid[-1] - grid[0]).days))
        if run + max(1, step) >= len(grid):
            return None
        run += max(1, step)
        return run

    for version in range(rng.choice((1, 1, 2)) if rng.random() < 0.10 else 0):
        at = later(0.5, 20)
        if at is None:
            break
        notice = _edit(rng, notice, version)
        out.append(_Action(grid[at], seq * 100 + len(out), "fetch", source, at, url, notice))
    roll = rng.random()
    if roll < 0.012:
        end = notice.disclosure_end
        # Withdrawn while the window is open (the headline event) about a third of the time.
        if end and rng.random() < 0.35:
            days_open = (dt.date.fromisoformat(end) - grid[run].date()).days
            at = later(0, max(0.5, days_open - 1)) if days_open > 1 else later(1, 60)
        else:
            at = later(1, 120)
        if at is not None:
            for _ in range(3):  # Store.removal_after: three failed fetches in a row
                out.append(_Action(grid[at], seq * 100 + len(out), "fail", source, at, url))
                at = later(0.2, 1)
                if at is None:
                    break
            if at is not None and rng.random() < 0.33:
                back = later(1, 30)
                if back is not None:
                    out.append(_Action(grid[back], seq * 100 + len(out), "fetch", source, back, url, notice))
    elif roll < 0.016:
        at = later(5, 200)
        if at is not None:
            moved = url.replace("/content/", "/content/m/")
            out.append(_Action(grid[at], seq * 100 + len(out), "fetch", source, at, moved,
                               notice.replace(url=moved)))
    return out


_FIGURE = re.compile(r"(\d+)(次|项|个|场次|份|名)")


def _edit(rng: random.Random, notice: Notice, version: int) -> Notice:
    """The edits portals really make: a window extended, a figure corrected, a title fixed."""
    body = notice.body_text
    choice = rng.random()
    if notice.disclosure_end and choice < 0.4:
        end = dt.date.fromisoformat(notice.disclosure_end) + dt.timedelta(days=14)
        body += f"\n(公开期限延长至{end.year}年{end.month}月{end.day}日)"
        return _with_body(notice, body, disclosure_end=end.isoformat())
    if choice < 0.9 and _FIGURE.search(body):
        matches = list(_FIGURE.finditer(body))
        m = matches[rng.randrange(len(matches))]
        body = body[: m.start()] + str(int(m[1]) + rng.randint(1, 5)) + m[2] + body[m.end() :]
        return _with_body(notice, body)
    return _with_body(notice, body + f"\n(本文于第{version + 2}版更正)",
                      title=(notice.title or "") + ("(更正)" if version == 0 else "(再次更正)"))


def _with_body(notice: Notice, body: str, **changes: Any) -> Notice:
    return notice.replace(body_text=body, content_hash=content_hash(body), **changes)


def _insert_runs(store: Store, rng: random.Random, source_ids: list[str], grids: list[list[dt.datetime]],
                 now: dt.datetime) -> list[list[int]]:
    """Every scheduled crawl as a `runs` row, in time order (ids rise with time, as the daemon writes
    them); counters start at 0 and are bumped by save_item/record_failure. Returns ids per source."""
    order = sorted(((at, i, k) for i, grid in enumerate(grids) for k, at in enumerate(grid)))
    zeros = dict.fromkeys(RUN_COUNTERS, 0)
    columns = ["source_id", "started_at", "finished_at", "status", "mode", "pages", "requests", "problems",
               "stats", *RUN_COUNTERS]
    rows = []
    for at, i, k in order:
        duration = dt.timedelta(seconds=rng.uniform(8, 90))
        rows.append([source_ids[i], at.isoformat(), (at + duration).isoformat(), "completed",
                     "full" if k == 0 else "incremental", 0, 0, "[]", "{}", *zeros.values()])
    conn = store.db.conn
    conn.execute("BEGIN IMMEDIATE")
    first = (conn.execute("select coalesce(max(id), 0) from runs").fetchone()[0]) + 1
    conn.executemany(f"insert into runs ({', '.join(f'[{c}]' for c in columns)}) "
                     f"values ({', '.join('?' for _ in columns)})", rows)
    conn.execute("COMMIT")
    ids: list[list[int]] = [[0] * len(g) for g in grids]
    for offset, (_, i, k) in enumerate(order):
        ids[i][k] = first + offset
    return ids


def _finish_runs(store: Store, rng: random.Random, source_ids: list[str], grids: list[list[dt.datetime]]) -> None:
    """Pages and requests from the counters; ~1 % failed runs; source 1 ends failing, source 2 blocked."""
    db = store.db
    db.execute("update runs set pages = 1 + items, requests = 2 + items + failures")
    failed = [r[0] for r in db.execute("select id from runs").fetchall() if rng.random() < 0.01]
    _mark_failed(db, failed, "list page http://…/index.html: HTTP 503")
    for source, problem in ((1, "list page: HTTP 503"), (2, "blocked: 412 with a JavaScript cookie challenge")):
        if source < len(source_ids):
            last = [r[0] for r in db.execute("select id from runs where source_id = ? order by id desc limit 3",
                                             [source_ids[source]]).fetchall()]
            _mark_failed(db, last, problem)


def _mark_failed(db: Any, run_ids: list[int], problem: str) -> None:
    with db.conn:
        db.conn.executemany("update runs set status = 'failed', problems = ? where id = ?",
                            [(json.dumps([problem]), rid) for rid in run_ids])


# -- the cache ---------------------------------------------------------------------------------------
def cached_store(notices: int, sources: int = 40, seed: int = 1, refresh: bool = False,
                 progress: bool = True) -> FillSummary:
    """The fixture under bench/.cache/, built on first use (or with `refresh`), reused afterwards."""
    CACHE.mkdir(parents=True, exist_ok=True)
    stem = CACHE / f"store-{notices}-{sources}s-seed{seed}-v{FILL_VERSION}"
    db, meta = stem.with_suffix(".db"), stem.with_suffix(".json")
    if not refresh and db.exists() and meta.exists():
        return FillSummary(**json.loads(meta.read_text(encoding="utf-8")))
    for stale in (db, meta, Path(f"{db}-wal"), Path(f"{db}-shm")):
        stale.unlink(missing_ok=True)
    summary = fill_store(db, notices, sources, seed, progress=progress)
    meta.write_text(summary.to_json(), encoding="utf-8")
    return summary


def check_store(path: Path) -> dict[str, Any]:
    """Consistency facts: integrity_check, index size vs notices, and 横琴 found as often as it occurs."""
    from monitor.store.search import FTS_TABLE, search

    with Store(path) as store:
        integrity = store.db.execute("PRAGMA integrity_check").fetchone()[0]
        notices = store.count("notices")
        indexed = store.db.execute(f"select count(*) from {FTS_TABLE}_docsize").fetchone()[0]
        occurs = store.db.execute("select count(*) from notices where instr(coalesce(title, '') || "
                                  "coalesce(body_text, ''), '横琴') > 0").fetchone()[0]
        found = len(search(store.db, "横琴", limit=10 * notices + 10))
        orphans = store.db.execute("select count(*) from notices n where not exists (select 1 from "
                                   "notice_versions v where v.notice_id = n.id)").fetchone()[0]
    return {"integrity": integrity, "notices": notices, "indexed": indexed, "hengqin_occurs": occurs,
            "hengqin_found": found, "notices_without_version": orphans}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--notices", type=int, default=100_000)
    ap.add_argument("--sources", type=int, default=40)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--db", type=Path, help="write here (default: the cache under bench/.cache/)")
    ap.add_argument("--refresh", action="store_true", help="rebuild the cached store even if present")
    ap.add_argument("--check", action="store_true", help="then verify it (integrity, index, 横琴)")
    args = ap.parse_args()
    if args.db:
        summary = fill_store(args.db, args.notices, args.sources, args.seed, progress=True)
    else:
        summary = cached_store(args.notices, args.sources, args.seed, refresh=args.refresh)
    print(summary.to_json())
    if args.check:
        try:
            print(json.dumps(check_store(Path(summary.path)), ensure_ascii=False))
        except sqlite3.DatabaseError as exc:
            raise SystemExit(f"{summary.path}: {exc}") from None


if __name__ == "__main__":
    main()
