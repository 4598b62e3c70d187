"""A fleet on one machine (issues 16, 17): N NFCMS sources, each its own portal on 127.0.x.y, one port.

    .venv/bin/python bench/fleet_bench.py                          # N = 100 and 1,000
    .venv/bin/python bench/fleet_bench.py --sources 100 1000 10000
    .venv/bin/python bench/fleet_bench.py --sources 100 --workers 1 2 4 --no-local   # cluster only
    .venv/bin/python bench/fleet_bench.py --sources 3 --json       # one JSON line on stdout

For each N: bench/fleet_server.py in a child process serves N portals (one list page and 5 rectification
notices each; ETag/Last-Modified, 304s, NFCMS_CAT_ID and the column JSON unless switched off); a
config.yaml with N `nfcms` sources; then, as users run them (`python -m monitor …` child processes):

1. first crawl: `noticewatch crawl` into a fresh database;
2. no-change crawl: the same again (nothing changed on the portals);
3. daemon cycle: `noticewatch daemon` with `schedule: every Ps` (P from the no-change crawl's wall
   time: every source due once, spread over the period), stopped by SIGTERM once every source has a
   finished run; its wall time is mostly the spread, its CPU per source is the figure;
4. with `--workers K…`: the first crawl again, by the cluster — a real redis-server,
   `noticewatch daemon --redis URL --once` and K `noticewatch worker --redis URL --burst` — per K.

Per phase: wall; CPU seconds per source of the measured processes and their children (the parse
worker included, the server excluded; bench/fleet_children.py says how); requests per source by kind
(the server's counters); peak RSS (largest single process, and the sampled sum over the process tree);
notices stored vs expected (every notice of every source exactly once; a source short of its notices
is listed with its runs' problems); the most requests one host ever had in flight (must be 1).
Ctrl-C stops every child.
"""

from __future__ import annotations

import argparse
import json
import math
import shutil
import signal
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import fleet_children as children  # noqa: E402
from bench.fleet_server import address  # noqa: E402
from bench.fleet_services import Redis, Server  # noqa: E402
from bench.fleet_store import check_store, finished_sources, last_run_id  # noqa: E402

PY = [sys.executable, "-m", "monitor"]
PHASES = ("first", "nochange", "daemon")


def say(*parts: object) -> None:
    """A result line: on stdout, or stderr when stdout carries the JSON."""
    print(*parts, file=OUT, flush=True)


OUT = sys.stdout


class Progress:
    """One progress line on stderr: rewritten in place on a terminal, else every 15 s."""

    def __init__(self) -> None:
        self.tty = sys.stderr.isatty()
        self.last = 0.0

    def show(self, text: str) -> None:
        now = time.monotonic()
        if self.tty:
            sys.stderr.write("\r\033[K" + text)
            sys.stderr.flush()
        elif now - self.last >= 15:
            print("  … " + text, file=sys.stderr, flush=True)
            self.last = now

    def clear(self) -> None:
        if self.tty:
            sys.stderr.write("\r\033[K")
            sys.stderr.flush()
        self.last = 0.0


PROGRESS = Progress()


@dataclass
class Phase:
    """One measured phase's figures."""

    name: str
    sources: int
    exit_codes: list[int]
    wall_s: float
    cpu_s: float
    cpu_ms_per_source: float
    requests: int
    requests_per_source: float
    by_kind_per_source: dict[str, float]
    not_modified: int
    status: dict[str, int]
    max_inflight_per_host: int
    hosts_over_one_inflight: list[str]
    maxrss_mb: float
    tree_peak_mb: float
    processes: int
    server_cpu_s: float
    store: dict[str, Any] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)

    def line(self) -> str:
        kinds = ", ".join(f"{k} {v:.2f}" for k, v in self.by_kind_per_source.items() if v)
        s = self.store
        stored = (f"notices {s['stored']:,}/{s['expected']:,} stored once" if "stored" in s else "")
        if s.get("missing_sources"):
            stored += f" — {s['short_sources']} source(s) short, e.g. {s['missing_sources'][0]}"
        if s.get("duplicates"):
            stored += f", {s['duplicates']} duplicate(s)"
        if "runs" in s:
            modes = ", ".join(f"{k} {v}" for k, v in s.get("by_mode", {}).items())
            stored += f", {s['runs']:,} runs ({modes})"
        codes = ",".join(map(str, sorted(set(self.exit_codes))))
        start = self.extra.get("first_request_s")
        started = f" (first request after ~{start:.0f} s)" if start else ""
        return (f"N={self.sources:,} {self.name}: wall {self.wall_s:.1f} s{started}, CPU {self.cpu_s:.1f} s = "
                f"{self.cpu_ms_per_source:.1f} ms/source, {self.requests_per_source:.2f} requests/source "
                f"({kinds}; 304s {self.not_modified}), peak RSS {self.maxrss_mb:.0f} MB largest process / "
                f"{self.tree_peak_mb:.0f} MB tree ({self.processes} processes), {stored}, max in flight per "
                f"host {self.max_inflight_per_host}, exit {codes}, server CPU {self.server_cpu_s:.2f} s")


def write_config(path: Path, server: Server, n: int, db: Path, opts: argparse.Namespace, *,
                 schedule: str | None = None, redis: str | None = None) -> Path:
    import yaml

    # Each host is its own registered domain: the per-domain delay would only add sleep (no CPU).
    defaults: dict[str, Any] = {"download_delay": 0, "jitter": 0, "recheck_schedule": "off"}
    if opts.max_concurrent:
        defaults["max_concurrent_sources"] = opts.max_concurrent
    if schedule:
        defaults["schedule"] = schedule
    config: dict[str, Any] = {
        "defaults": defaults,
        "storage": {"path": str(db)},
        "sources": [{"id": f"fleet{i:05d}", "name": f"fleet portal {address(i)}", "kind": "nfcms",
                     "start_urls": [server.url(i)]} for i in range(n)],
    }
    if redis:
        config["cluster"] = {"redis": redis, "job_timeout": 300, "lease_ttl": 10}
    path.write_text("# bench/fleet_bench.py\n" + yaml.safe_dump(config, allow_unicode=True, sort_keys=False),
                    encoding="utf-8")
    return path


def tail(log: Path, lines: int = 12) -> list[str]:
    """The log's last lines, without the live display's spinner rows."""
    text = log.read_text(encoding="utf-8", errors="replace").splitlines() if log.exists() else []
    kept = [line for line in text if line.strip() and not line.lstrip().startswith(tuple("⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏"))]
    return kept[-lines:]


def measure(name: str, n: int, server: Server, procs: list, cpu0: float, t0: float, db: Path,
            after_run: int, opts: argparse.Namespace, log: Path, **watch: Any) -> Phase:
    """Wait for `procs` (see children.watch), then read the server's counters and the store."""
    first_request: list[float] = []  # seconds until the server saw a request (start-up), to ~1 s

    def tick(elapsed: float) -> None:
        requests = server.stats()["requests"]
        if requests and not first_request:
            first_request.append(elapsed)
        PROGRESS.show(f"N={n:,} {name}: {elapsed:.0f} s, {finished_sources(db, after_run):,}/{n:,} sources done, "
                      f"{requests:,} requests")

    m = children.watch(procs, cpu0, t0, tick=tick, **watch)
    PROGRESS.clear()
    stats = server.stats(reset=True)
    store = check_store(db, n, server.port, opts.notices, after_run) if db.exists() else {}
    runs = max(1, store.get("runs", n)) if name.startswith("daemon") else n
    phase = Phase(
        name=name, sources=n, exit_codes=m.codes, wall_s=m.wall_s, cpu_s=m.cpu_s,
        cpu_ms_per_source=1000 * m.cpu_s / runs, requests=stats["requests"],
        requests_per_source=stats["requests"] / runs,
        by_kind_per_source={k: v / runs for k, v in stats["by_kind"].items()}, not_modified=stats["not_modified"],
        status=stats["status"], max_inflight_per_host=stats["max_inflight_per_host"],
        hosts_over_one_inflight=stats["hosts_over_one_inflight_sample"], maxrss_mb=m.maxrss_mb,
        tree_peak_mb=m.tree_peak_mb, processes=m.descendants, server_cpu_s=stats["server_cpu_s"] - server.cpu_mark,
        store=store)
    if any(m.codes) or not store or store["stored"] < store["expected"] or stats["max_inflight_per_host"] > 1:
        phase.extra["log_tail"] = tail(log)
    phase.extra["log"] = str(log)
    phase.extra["first_request_s"] = first_request[0] if first_request else None
    return phase


def crawl_phase(name: str, n: int, server: Server, config: Path, db: Path, folder: Path,
                opts: argparse.Namespace) -> Phase:
    after = last_run_id(db)
    server.mark()
    cpu0, t0 = children.children_cpu(), time.monotonic()
    log = folder / f"{name.replace(' ', '-')}-{n}.log"
    proc = children.start([*PY, "crawl", "--config", str(config), "--db", str(db)], log, ROOT)
    return measure(name, n, server, [proc], cpu0, t0, db, after, opts, log, deadline=t0 + opts.timeout)


def daemon_phase(name: str, n: int, server: Server, db: Path, folder: Path, opts: argparse.Namespace,
                 period: int) -> Phase:
    """The local daemon, every source due once within `period` s; SIGTERM once all have a finished run."""
    slug = name.replace(" ", "-")
    config = write_config(folder / f"{slug}-{n}.yaml", server, n, db, opts, schedule=f"every {period}s")
    after = last_run_id(db)
    server.mark()
    cpu0, t0 = children.children_cpu(), time.monotonic()
    log = folder / f"{slug}-{n}.log"
    proc = children.start([*PY, "daemon", "--config", str(config), "--db", str(db)], log, ROOT)
    phase = measure(name, n, server, [proc], cpu0, t0, db, after, opts, log,
                    stop_when=lambda: finished_sources(db, after) >= n, deadline=t0 + period + opts.timeout)
    phase.extra.update(period_s=period, runs_by_mode=phase.store.get("by_mode", {}))
    return phase


def cluster_phase(k: int, n: int, server: Server, redis: Redis, folder: Path, opts: argparse.Namespace) -> Phase:
    """A first crawl by the cluster: `daemon --redis --once` and, once it has queued, K burst workers."""
    from monitor.cluster.protocol import QUEUE

    db = folder / f"cluster-{n}-{k}.db"
    config = write_config(folder / f"cluster-{n}-{k}.yaml", server, n, db, opts, redis=redis.url)
    redis.client.flushdb()
    server.mark()
    cpu0, t0 = children.children_cpu(), time.monotonic()
    log = folder / f"cluster-{n}-{k}.log"
    coordinator = children.start([*PY, "daemon", "--redis", redis.url, "--once", "--config", str(config),
                                  "--db", str(db)], log, ROOT)
    crew: list = []

    def workers() -> list:
        # Burst workers stop on an empty queue: start them once the coordinator has queued the sources.
        if crew or (redis.client.zcard(QUEUE) == 0 and coordinator.poll() is None):
            return []
        crew.extend(children.start([*PY, "worker", "--redis", redis.url, "--burst", "--config", str(config)],
                                   log, ROOT) for _ in range(k))
        return crew

    phase = measure(f"cluster first crawl, {k} worker(s)", n, server, [coordinator], cpu0, t0, db, 0, opts, log,
                    more=workers, deadline=t0 + opts.timeout)
    phase.extra.update(workers=k, sources_per_s=n / phase.wall_s)
    return phase


def daemon_period(like_wall: float, requested: int | None) -> int:
    """Long enough that the cycle (about as much work as a crawl that took `like_wall` s) ends before
    a source falls due again; at least a minute."""
    return requested or max(60, math.ceil(1.2 * like_wall + 30))


def fleet_round(n: int, folder: Path, opts: argparse.Namespace, redis: Redis | None) -> list[Phase]:
    """Every phase at one N, one server for all of them."""
    server = Server(n, folder, opts)
    say(f"N={n:,}: {n:,} portals {address(0)}…{address(n - 1)} port {server.port} ({server.info['bound_by']}), "
        f"{n * opts.notices:,} notices; validators {'on' if opts.validators else 'off'}, column JSON "
        f"{'on' if opts.column_json else 'off'}, robots.txt {opts.robots}")
    phases: list[Phase] = []

    def done(phase: Phase) -> None:
        phases.append(phase)
        say(phase.line())
        for line in phase.extra.get("log_tail", []):
            say("    | " + line)

    try:
        if not opts.no_local:
            db = folder / f"fleet-{n}.db"
            config = write_config(folder / f"config-{n}.yaml", server, n, db, opts)
            walls = {}
            if "first" in opts.phases:
                done(crawl_phase("first crawl", n, server, config, db, folder, opts))
                walls["first"] = phases[-1].wall_s
            if "nochange" in opts.phases:
                done(crawl_phase("no-change crawl", n, server, config, db, folder, opts))
                walls["nochange"] = phases[-1].wall_s
            if "daemon" in opts.phases:
                # Two daemon runs, one cycle each: the first after `crawl` (a full sweep when no run of
                # the source is recorded as full), then the steady state.
                for name, basis in (("daemon cycle 1", "first"), ("daemon cycle 2", "nochange")):
                    period = daemon_period(walls.get(basis, 0), opts.daemon_period)
                    done(daemon_phase(name, n, server, db, folder, opts, period))
        for k in opts.workers or ():
            assert redis is not None
            done(cluster_phase(k, n, server, redis, folder, opts))
    finally:
        server.stop()
    return phases


def table(phases: list[Phase]) -> str:
    head = ("| N | phase | wall | CPU per source | requests per source | peak RSS (largest / tree) | "
            "notices stored | max in flight per host |")
    rows = [head, "|" + "---|" * 8]
    for p in phases:
        s = p.store
        stored = f"{s.get('stored', 0):,} / {s.get('expected', 0):,}" if s else "–"
        rows.append(f"| {p.sources:,} | {p.name} | {p.wall_s:.1f} s | {p.cpu_ms_per_source:.0f} ms | "
                    f"{p.requests_per_source:.2f} | {p.maxrss_mb:.0f} / {p.tree_peak_mb:.0f} MB | {stored} | "
                    f"{p.max_inflight_per_host} |")
    return "\n".join(rows)


def marginal(phases: list[Phase]) -> list[dict[str, Any]]:
    """CPU per added source between consecutive N, per phase: the per-source cost without the fixed
    start-up (interpreter, imports, parse worker) that dominates at small N. Flat means ~equal."""
    out = []
    by_name: dict[str, list[Phase]] = {}
    for p in phases:
        by_name.setdefault(p.name, []).append(p)
    for name, runs in by_name.items():
        runs.sort(key=lambda p: p.sources)
        for a, b in zip(runs, runs[1:], strict=False):
            if b.sources > a.sources:
                out.append({"phase": name, "from": a.sources, "to": b.sources,
                            "cpu_ms_per_added_source": 1000 * (b.cpu_s - a.cpu_s) / (b.sources - a.sources)})
    return out


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sources", type=int, nargs="+", default=[100, 1000], help="fleet sizes N (default 100 1000)")
    ap.add_argument("--workers", type=int, nargs="*", default=None,
                    help="also the first crawl by the cluster with K workers each (no value: 1 2 4)")
    ap.add_argument("--no-local", action="store_true", help="only the cluster rounds (with --workers)")
    ap.add_argument("--phases", nargs="+", choices=PHASES, default=list(PHASES),
                    help="local phases to run, in this order (default all: first nochange daemon)")
    ap.add_argument("--daemon-period", type=int, help="the daemon cycle's schedule period, s (default: from the "
                    "no-change crawl's wall time, at least 60)")
    ap.add_argument("--notices", type=int, default=5, help="notices per portal (default 5: one list page)")
    ap.add_argument("--max-concurrent", type=int, help="defaults.max_concurrent_sources (default: the config's)")
    ap.add_argument("--validators", action=argparse.BooleanOptionalAction, default=True,
                    help="the server sends ETag/Last-Modified and answers 304 (default on)")
    ap.add_argument("--column-json", action=argparse.BooleanOptionalAction, default=True,
                    help="list pages state NFCMS_CAT_ID and /postmeta/i/{id}.json answers (default on)")
    ap.add_argument("--robots", choices=("allow", "404"), default="allow")
    ap.add_argument("--hold-ms", type=float, default=5.0, help="the server holds each request this long, so "
                    "two at once to one host overlap and are counted (default 5)")
    ap.add_argument("--timeout", type=float, default=3600, help="seconds a phase may take before it is killed")
    ap.add_argument("--keep", type=Path, help="keep configs, databases and logs in this folder")
    ap.add_argument("--check", action="store_true", help="exit 1 when a notice was lost or duplicated, or a host "
                    "had two requests at once (default: exit 0 once measured)")
    ap.add_argument("--json", action="store_true", help="one JSON line of every figure on stdout (lines on stderr)")
    args = ap.parse_args(argv)
    if args.workers is not None and not args.workers:
        args.workers = [1, 2, 4]
    if args.no_local and not args.workers:
        ap.error("--no-local needs --workers")
    return args


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt  # SIGTERM stops the children as Ctrl-C does


def main(argv: list[str] | None = None) -> int:
    global OUT
    opts = parse_args(argv)
    if opts.json:
        OUT = sys.stderr
    signal.signal(signal.SIGTERM, _interrupt)
    subreaper = children.become_subreaper()
    folder = opts.keep or Path(tempfile.mkdtemp(prefix="fleet_bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    phases: list[Phase] = []
    redis: Redis | None = None
    try:
        redis = Redis(folder) if opts.workers else None
        for n in opts.sources:
            phases += fleet_round(n, folder, opts, redis)
    except KeyboardInterrupt:
        PROGRESS.clear()
        say("interrupted: stopping the children")
        children.stop_all()
        return 130
    finally:
        if redis is not None:
            redis.stop()
        children.stop_all()
        if opts.keep is None:
            shutil.rmtree(folder, ignore_errors=True)
    say("\n" + table(phases))
    extra = marginal(phases)
    for m in extra:
        say(f"{m['phase']}: {m['cpu_ms_per_added_source']:.1f} ms CPU per added source from N={m['from']:,} "
            f"to N={m['to']:,}")
    if not subreaper:
        say("(not a child subreaper here: CPU of a grandchild that outlives its parent would not be counted)")
    if opts.json:
        print(json.dumps({"options": {k: str(v) if isinstance(v, Path) else v for k, v in vars(opts).items()},
                          "phases": [asdict(p) for p in phases], "marginal": extra}, ensure_ascii=False))
    lost = any(p.store and (p.store["stored"] < p.store["expected"] or p.store["duplicates"]) for p in phases)
    crowded = any(p.max_inflight_per_host > 1 for p in phases)
    if lost or crowded:
        say(("NOTICES LOST OR DUPLICATED; " if lost else "") + ("A HOST SAW TWO REQUESTS AT ONCE" if crowded else ""))
    return 1 if opts.check and (lost or crowded) else 0


if __name__ == "__main__":
    sys.exit(main())
