"""The fault catalogue's expected outcomes, and one trial of a fault — shared by tests/test_faults.py
and bench/fault_trials.py.

A trial puts one catalogue fault (replica/faults.py FAULTS) on one target and checks what the
monitor made of it:
- "list": the first list page of the column; an incremental crawl.
- "known": the detail page of a notice already stored; a `--full` crawl, then two re-checks
  (httpx, in-process) — three fetches of a failing page in all, the removal threshold.
- "new": the detail page of a notice published since the last crawl; an incremental crawl.

Every trial checks: no crash (exit 0 or 1, no Traceback), the run problems the fault must cause
(and no others), the run status, no bogus notice (every stored notice equals the replica's ground
truth, one version each), nothing lost (every notice stored before is still stored and active,
unless removal was due), no false event (no `changed`; `removed` only for a counted failure on the
third fetch; `new` only for a notice that really is new and was read right).
"""

from __future__ import annotations

import asyncio
import json
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from monitor.config.loader import load_config
from monitor.crawl.recheck import recheck
from monitor.store.db import Store
from replica import mutations
from replica.content import seed_notices
from replica.faults import FAULTS
from replica.generator import generate_notices
from replica.model import Site
from replica.server import ReplicaServer
from tests.crash_checks import check_database
from tests.helpers import run_cli

TARGETS = ("list", "known", "new")
REMOVAL_AFTER = 3
TIMEOUT = 2  # seconds: config `timeout`; the "timeout" fault stalls longer, "slow_drip" less


@dataclass(frozen=True)
class Expected:
    """What one fault must cause.

    `list_problems` / `list_status`: the run's problem kinds and status with the fault on list page 1.
    `detail_problems`: the problem kinds reported for a faulted detail page (empty: the page is
    still read right, and stored). `counted`: its failure counts toward removal (gone, redirected,
    blocked — evidence the notice may be withdrawn; transient trouble never does).
    `recheck`: a re-check's outcome for a stored notice behind the fault.
    """

    list_problems: frozenset[str]
    list_status: str
    detail_problems: frozenset[str]
    counted: bool
    recheck: str

    @property
    def readable(self) -> bool:
        return not self.detail_problems


def _e(list_problems: str, list_status: str, detail_problems: str, counted: bool, recheck: str) -> Expected:
    return Expected(frozenset(list_problems.split()), list_status, frozenset(detail_problems.split()), counted, recheck)


F, C = "failed", "completed"
# fault: list problems, list run status, detail problems, counted, re-check outcome
EXPECTED: dict[str, Expected] = {
    "refused": _e("list_failed", F, "detail_failed", False, "error"),
    "reset_mid_body": _e("list_failed", F, "detail_failed", False, "error"),
    "timeout": _e("list_failed", F, "detail_failed", False, "error"),
    "slow_drip": _e("", C, "", False, "unchanged"),
    "http_500": _e("list_failed", F, "detail_failed", False, "error"),
    "http_502": _e("list_failed", F, "detail_failed", False, "error"),
    "http_503": _e("list_failed", F, "detail_failed", False, "error"),
    "http_503_retry_after": _e("list_failed", F, "detail_failed", False, "error"),
    "http_403": _e("list_failed", F, "detail_failed", False, "error"),
    "http_404": _e("list_missing", F, "detail_failed", True, "gone"),
    "http_410": _e("list_failed", F, "detail_failed", True, "gone"),
    "challenge_412": _e("blocked", F, "blocked", True, "blocked"),
    "challenge_521": _e("blocked", F, "blocked", True, "blocked"),
    "captcha": _e("blocked", F, "blocked", True, "blocked"),
    "login_redirect": _e("blocked", F, "blocked", True, "blocked"),
    "redirect_loop": _e("list_failed", F, "detail_failed", False, "error"),
    "redirect_offsite": _e("list_failed", F, "detail_failed", True, "redirected"),
    "empty_200": _e("list_empty", F, "empty_body", False, "error"),
    "truncated_html": _e("", C, "truncated", False, "error"),
    "gbk_as_utf8": _e("", C, "", False, "unchanged"),
    "no_charset_gbk": _e("", C, "", False, "unchanged"),
    "huge_10mb": _e("list_failed", F, "detail_failed", False, "error"),
    "binary_as_html": _e("not_html", F, "not_html", False, "error"),
    "zero_items": _e("list_empty", F, "", False, "unchanged"),
    "malformed_html": _e("", C, "", False, "unchanged"),
    # Hostile template habits are no trouble of the notice (issue 19): the same notice, no event.
    "cookie_script": _e("", C, "", False, "unchanged"),
    "deep_nesting": _e("", C, "", False, "unchanged"),
    "tracking_links": _e("", C, "", False, "unchanged"),
    "ftp_link": _e("", C, "", False, "unchanged"),
    # A callback that raised (here on a link no URL parser takes): the run's problem, never "completed".
    "bad_url_link": _e("spider_error", F, "", False, "unchanged"),
    # Not the page: a failure of the notice, never a version of it (nor evidence it was withdrawn).
    "pdf_answer": _e("not_html", F, "not_html", False, "error"),
    "inflates_huge": _e("list_failed", F, "detail_failed", False, "error"),
}
assert set(EXPECTED) == set(FAULTS), "every catalogue fault needs its expected outcome"


def column() -> Site:
    """A small NFCMS column: the three real seeds and four generated notices, 5 a page (2 pages)."""
    return Site(id="zgls", column="/xunshizgls/", theme="wendang", per_page=5, site_name="南粤清风网",
                column_name="整改落实", notices=[*seed_notices(), *generate_notices(4, seed=11, start_id=3_900_001)])


@dataclass
class TrialResult:
    fault: str
    target: str
    failures: list[str] = field(default_factory=list)  # checks that did not hold
    data_lost: int = 0  # stored notices damaged or lost
    false_events: int = 0

    @property
    def survived(self) -> bool:
        return not self.failures


class FaultLab:
    """One replica column, crawled once into a baseline DB; each trial runs on a copy of it."""

    def __init__(self, server: ReplicaServer, tmp: Path):
        self.server = server
        self.site = server.sites[0]
        self.tmp = tmp
        self.config = tmp / "config.yaml"
        self.config.write_text(json.dumps({
            "defaults": {"download_delay": 0, "retries": 0, "timeout": TIMEOUT,
                         "removal_after_failures": REMOVAL_AFTER},
            "sources": [{"id": "zgls", "kind": "nfcms", "start_urls": [server.url(self.site.list_url(1))]}],
        }), encoding="utf-8")
        self.baseline = tmp / "baseline.db"
        out = self.crawl(self.baseline)
        assert out.returncode == 0, out.stderr
        self.trials = 0
        self._seed = 100

    def crawl(self, db: Path, *extra: str):  # noqa: ANN201
        return run_cli("crawl", *extra, "--config", self.config, "--db", db, timeout=120)

    def recheck(self, db: Path) -> dict[str, str]:
        """Re-check every stored notice once; {url: outcome} from the store's point of view."""
        config = load_config(self.config)
        with Store(db, removal_after=REMOVAL_AFTER) as store:
            [result] = asyncio.run(recheck(config, config.sources, store, everything=True))
        return {line.rsplit("(", 1)[-1].rstrip(")"): line.split(":", 1)[0] for line in result.problems}

    def fresh_db(self) -> Path:
        self.trials += 1
        db = self.tmp / f"trial{self.trials}.db"
        shutil.copy(self.baseline, db)
        return db

    def publish(self) -> int:
        self._seed += 1
        notice = mutations.next_notice(self.site, seed=self._seed)
        mutations.publish(self.site, notice)
        return notice.post_id

    def url(self, post_id: int) -> str:
        return self.server.url(self.site.detail_url(post_id))


def problem_kinds(problems: list[str], url: str | None = None) -> set[str]:
    """The kinds of a run's problem lines ("kind: message (url)"), those about `url` if given."""
    return {p.split(":", 1)[0] for p in problems if url is None or p.endswith(f"({url})")}


def _crash_check(out, result: TrialResult, what: str) -> None:  # noqa: ANN001
    if out.returncode not in (0, 1):
        result.failures.append(f"{what}: exit code {out.returncode}: {out.stderr.strip()[-300:]}")
    if "Traceback" in out.stderr or "Traceback" in out.stdout:
        result.failures.append(f"{what}: a traceback: {out.stderr.strip()[-500:]}")
    if out.returncode == 1:
        errors = [line for line in out.stderr.splitlines() if line.startswith("Error:")]
        if len(errors) != 1:
            result.failures.append(f"{what}: exit 1 without exactly one error line: {out.stderr.strip()[-300:]}")


def _runs(db: Path, after: int) -> list[dict]:
    with Store(db) as store:
        return [
            {**r, "problems": json.loads(r["problems"] or "[]")}
            for r in store.rows("select * from runs where id > ? order by id", [after])
        ]


def _state(db: Path) -> tuple[dict[str, tuple[str, int]], int, int]:
    """({url: (status, consecutive failures)}, number of events, last run id)."""
    with Store(db) as store:
        notices = {s.notice.url: (s.status, s.consecutive_failures) for s in store.notices()}
        events = store.count("events")
        last_run = next(store.rows("select coalesce(max(id), 0) as n from runs"))["n"]
    return notices, events, last_run


def _events_after(db: Path, after: int) -> list:
    with Store(db) as store:
        return store.events()[after:]


def run_trial(lab: FaultLab, name: str, target: str) -> TrialResult:
    """Put fault `name` on `target` (list | known | new | detail = known and new at once), crawl
    (and re-check, for a known notice), and check everything; the replica is restored after."""
    expected = EXPECTED[name]
    result = TrialResult(name, target)
    db = lab.fresh_db()
    before, events_before, last_run = _state(db)
    site, server = lab.site, lab.server
    new_post = known_post = None
    try:
        if target == "list":
            server.faults[site.list_url(1)] = FAULTS[name]
            out = lab.crawl(db)
        else:
            if target in ("known", "detail"):
                known_post = site.newest_first()[1].post_id
                server.faults[site.detail_url(known_post)] = FAULTS[name]
            if target in ("new", "detail"):
                new_post = lab.publish()
                server.faults[site.detail_url(new_post)] = FAULTS[name]
            out = lab.crawl(db, *(("--full",) if known_post else ()))
        _crash_check(out, result, "crawl")
        [run] = _runs(db, last_run) or [{"status": "missing", "problems": []}]
        if target == "list":
            _check_list_run(run, expected, result)
        else:
            _check_detail_run(lab, run, expected, result, known_post, new_post)
        rechecks: list[dict[str, str]] = []
        if known_post is not None:
            rechecks = [lab.recheck(db) for _ in range(REMOVAL_AFTER - 1)]
            _check_rechecks(lab, rechecks, expected, result, known_post)
        _check_store(lab, db, before, events_before, expected, result, known_post, new_post)
    finally:
        server.faults.clear()
        if new_post is not None:
            mutations.remove(site, new_post)
    return result


def _check_list_run(run: dict, expected: Expected, result: TrialResult) -> None:
    if run["status"] != expected.list_status:
        result.failures.append(f"run status {run['status']!r}, want {expected.list_status!r}: {run['problems']}")
    kinds = problem_kinds(run["problems"])
    if kinds != expected.list_problems:
        result.failures.append(f"run problems {sorted(kinds)}, want {sorted(expected.list_problems)}: {run['problems']}")


def _check_detail_run(lab: FaultLab, run: dict, expected: Expected, result: TrialResult,
                      known_post: int | None, new_post: int | None) -> None:
    if run["status"] != "completed":
        result.failures.append(f"run status {run['status']!r}, want 'completed': {run['problems']}")
    faulted = [lab.url(p) for p in (known_post, new_post) if p is not None]
    for url in faulted:
        kinds = problem_kinds(run["problems"], url)
        if kinds != expected.detail_problems:
            result.failures.append(
                f"problems for {url}: {sorted(kinds)}, want {sorted(expected.detail_problems)}: {run['problems']}")
    others = [p for p in run["problems"] if not any(p.endswith(f"({u})") for u in faulted)]
    if others:
        result.failures.append(f"unexpected problems: {others}")


def _check_rechecks(lab: FaultLab, rechecks: list[dict[str, str]], expected: Expected, result: TrialResult,
                    known_post: int) -> None:
    url = lab.url(known_post)
    for i, problems in enumerate(rechecks, 1):
        got = problems.get(url, "unchanged")
        if got != expected.recheck:
            result.failures.append(f"re-check {i}: {got!r} for the known notice, want {expected.recheck!r}")
        others = {u: k for u, k in problems.items() if u != url}
        if others:
            result.failures.append(f"re-check {i}: problems with other notices: {others}")


def _check_store(lab: FaultLab, db: Path, before: dict[str, tuple[str, int]], events_before: int,
                 expected: Expected, result: TrialResult, known_post: int | None, new_post: int | None) -> None:
    damaged = check_database(db, lab.server)
    if damaged:
        result.failures.append(f"bogus or damaged notices: {damaged}")
    after, _, _ = _state(db)
    known_url = lab.url(known_post) if known_post is not None else None
    new_url = lab.url(new_post) if new_post is not None else None
    removal_due = known_url is not None and expected.counted
    lost = [u for u in before if u not in after]
    inactive = [u for u in before if u in after and after[u][0] != "active" and not (u == known_url and removal_due)]
    result.data_lost = len(damaged) + len(lost) + len(inactive)
    if lost or inactive:
        result.failures.append(f"lost: {lost}, no longer active: {inactive}")
    for url, (_status, failures) in after.items():
        want = REMOVAL_AFTER if url == known_url and removal_due else 0
        if url in before and failures != want:
            result.failures.append(f"{url}: {failures} consecutive failures counted, want {want}")
    events = _events_after(db, events_before)
    false = []
    for event in events:
        if event.kind == "new" and event.url == new_url and expected.readable:
            continue
        if event.kind == "removed" and event.url == known_url and removal_due:
            continue
        false.append(f"{event.kind} {event.url}")
    if removal_due and not any(e.kind == "removed" and e.url == known_url for e in events):
        result.failures.append(f"{known_url}: not removed after {REMOVAL_AFTER} counted failures")
    if new_url is not None and expected.readable and new_url not in after:
        result.failures.append(f"{new_url}: a readable new notice was not stored")
    result.false_events = len(false)
    if false:
        result.failures.append(f"false events: {false}")


def iter_cases(targets: tuple[str, ...] = ("list", "detail")) -> Iterator[tuple[str, str]]:
    for name in FAULTS:
        for target in targets:
            yield name, target
