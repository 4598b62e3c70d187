"""The issue-17 check, end to end: a real redis-server, `noticewatch daemon --redis URL --once` and three
`noticewatch worker --redis URL` against PORTALS replica portals on distinct loopback hosts; one worker
killed -9 mid-way (while it crawls). Then checks and prints:

- every notice stored exactly once, with one version;
- every source with exactly one run, completed;
- the killed worker's job retaken (how many seconds after the kill), and finished by a survivor;
- which worker finished how many jobs (the survivors did the crawling after the kill);
- no host ever served two requests at once (the replica's request log: start and end of each).

    .venv/bin/python bench/cluster_trial.py --portals 200 --workers 3

Exit status 1 if a check fails. The replicas run in this process (one server thread each); each
request is held SERVE_TIME inside the server, so two at once on one host would overlap in the log.
"""

from __future__ import annotations

import argparse
import json
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from replica import timed  # noqa: E402
from replica.sites import build_demo_sites  # noqa: E402

SERVE_TIME = 0.01


class TimedReplica(timed.TimedReplica):
    serve_time = SERVE_TIME



def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_redis(folder: Path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    process = subprocess.Popen(["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                                "--appendonly", "no", "--dir", str(folder)], stdout=subprocess.DEVNULL)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return process, f"redis://127.0.0.1:{port}/0"
        time.sleep(0.05)
    raise SystemExit("Error: redis-server did not start")


def start_portals(count: int) -> list[TimedReplica]:
    """One portal (one NFCMS column) per loopback host: 127.0.5.1, 127.0.5.2, … 127.0.5.250, 127.0.6.1, …"""
    servers = []
    for i in range(count):
        site = build_demo_sites()[i % 2]
        servers.append(TimedReplica([site], host=f"127.0.{5 + i // 250}.{1 + i % 250}").start())
    return servers


def config_for(servers: list[TimedReplica], redis_url: str, lease: float) -> dict:
    return {
        "defaults": {"download_delay": 0, "retries": 0, "jitter": 0},
        "cluster": {"redis": redis_url, "job_timeout": "15m", "lease_ttl": lease},
        "sources": [{"id": f"p{i:03d}_{server.sites[0].id}", "kind": "nfcms", "max_pages": 10, "schedule": "every 1h",
                     "start_urls": [server.url(f"{server.sites[0].column}index.html")]}
                    for i, server in enumerate(servers)],
    }


def noticewatch(*args: str, log: Path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "monitor", *args], cwd=ROOT, stdout=subprocess.DEVNULL,
                            stderr=log.open("w"))


def crawling(redis_url: str) -> dict[int, str]:
    """pid -> job id, for workers whose registry record says they are crawling."""
    from monitor.cluster.registry import read_status

    return {int(w.worker_id.rsplit(":", 1)[1]): w.current for w in read_status(redis_url).workers if w.current}


def finished_jobs(db: Path) -> int:
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5) as conn:
            return conn.execute("select count(*) from cluster_jobs where finished_at is not null").fetchone()[0]
    except sqlite3.Error:
        return 0


def attempts(db: Path, job_id: str) -> int:
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5) as conn:
            row = conn.execute("select attempts from cluster_jobs where job_id = ?", [job_id]).fetchone()
        return int(row[0]) if row else 0
    except sqlite3.Error:
        return 0


def kill_mid_way(workers: list[subprocess.Popen], coordinator: subprocess.Popen, db: Path, redis_url: str,
                 sources: int) -> tuple[subprocess.Popen, str, float]:
    """Once half the sources are done, kill -9 a worker that is crawling; then wait until its job is
    started again (by a survivor). Returns the victim, its job and the seconds from kill to retake."""
    while finished_jobs(db) < sources // 2:
        if coordinator.poll() is not None:
            raise SystemExit("Error: the coordinator exited before the kill")
        time.sleep(0.2)
    while True:
        busy = crawling(redis_url)
        victim = next((w for w in workers if w.pid in busy), None)
        if victim is not None:
            break
        time.sleep(0.05)
    job = busy[victim.pid]
    victim.send_signal(signal.SIGKILL)
    killed = time.monotonic()
    print(f"killed worker pid {victim.pid} while it crawled {job} ({finished_jobs(db)} of {sources} done)")
    while attempts(db, job) < 2 and coordinator.poll() is None and time.monotonic() - killed < 1200:
        time.sleep(0.1)
    return victim, job, time.monotonic() - killed


def report(db: Path, servers: list[TimedReplica], spec: dict, workers: list[subprocess.Popen],
           victim: subprocess.Popen, job: str, retaken: float) -> list[str]:
    failures: list[str] = []
    expected = {s.url(site.detail_url(n.post_id)) for s in servers for site in s.sites for n in site.notices}
    with sqlite3.connect(db) as conn:
        urls = [r[0] for r in conn.execute("select url from notices")]
        versions = conn.execute("select count(*) from notice_versions").fetchone()[0]
        runs = conn.execute("select source_id, status from runs").fetchall()
        jobs = conn.execute("select job_id, worker, attempts from cluster_jobs").fetchall()
        states = conn.execute("select count(*), sum(last_status = 'completed') from daemon_jobs "
                              "where job like 'crawl:%'").fetchone()
        stop = conn.execute("select stop_reason from daemon").fetchone()
    once = len(urls) == len(set(urls)) and set(urls) == expected
    print(f"notices: {len(urls)} stored, {len(set(urls))} distinct, {len(expected)} expected; {versions} versions")
    if not once or versions != len(expected):
        failures.append("notices not stored exactly once with one version")
    per_source: dict[str, list[str]] = {}
    for source_id, status in runs:
        per_source.setdefault(source_id, []).append(status)
    ids = [s["id"] for s in spec["sources"]]
    good = sum(per_source.get(i) == ["completed"] for i in ids)
    print(f"runs: {len(runs)} for {len(ids)} sources; {good} sources with exactly one run, completed")
    if good != len(ids) or len(runs) != len(ids):
        failures.append("not every source has exactly one completed run")
    retakes = [j for j in jobs if j[2] > 1]
    finisher = next((j[1] for j in jobs if j[0] == job), None)
    print(f"retaken jobs: {len(retakes)} ({', '.join(f'{j[0]} x{j[2]}' for j in retakes)}); the killed worker's "
          f"job started again {retaken:.1f} s after the kill, finished by {finisher}")
    victim_id = f":{victim.pid}"
    if len(retakes) != 1 or retakes[0][0] != job or (finisher or "").endswith(victim_id):
        failures.append("the killed worker's job (and only it) should be retaken by a survivor")
    counts: dict[str, int] = {}
    for _, worker, _ in jobs:
        counts[worker] = counts.get(worker, 0) + 1
    for worker, count in sorted(counts.items()):
        role = "killed" if worker.endswith(victim_id) else "survivor"
        print(f"  worker {worker} ({role}): {count} job(s) finished")
    print(f"daemon state: {states[0]} source rows, {states[1] or 0} completed; coordinator stopped: {stop[0] if stop else '-'}")
    if states[0] != len(ids) or states[1] != len(ids):
        failures.append("the daemon state rows do not follow the runs")
    clashes = {s.base_url: timed.overlapping(s.timed) for s in servers}
    requests = sum(len(s.timed) for s in servers)
    print(f"hosts: {len(servers)}, {requests} requests; hosts that served two requests at once: "
          f"{sum(1 for v in clashes.values() if v)}")
    if any(clashes.values()):
        failures.append(f"overlapping requests on {[h for h, v in clashes.items() if v][:5]}")
    return failures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--portals", type=int, default=200)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--lease", type=float, default=10.0, help="cluster.lease_ttl in seconds")
    parser.add_argument("--keep", type=Path, default=None, help="keep the database and logs in this folder")
    args = parser.parse_args()
    if shutil.which("redis-server") is None:
        sys.exit("Error: redis-server not found (apt-get install -y redis-server)")
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        redis_process, url = start_redis(Path(tmp))
        servers = start_portals(args.portals)
        processes: list[subprocess.Popen] = []
        try:
            spec = config_for(servers, url, args.lease)
            config, db = folder / "config.yaml", folder / "trial.db"
            config.write_text(json.dumps(spec), encoding="utf-8")
            print(f"{args.portals} portals on {args.portals} loopback hosts, "
                  f"{sum(len(site.notices) for s in servers for site in s.sites)} notices, {args.workers} workers, "
                  f"lease {args.lease:g} s")
            started = time.monotonic()
            coordinator = noticewatch("daemon", "--redis", url, "--config", str(config), "--db", str(db), "--once",
                                      log=folder / "coordinator.log")
            workers = [noticewatch("worker", "--redis", url, "--config", str(config), log=folder / f"worker{i}.log")
                       for i in range(args.workers)]
            processes = [coordinator, *workers]
            victim, job, retaken = kill_mid_way(workers, coordinator, db, url, len(spec["sources"]))
            code = coordinator.wait(timeout=1800)
            print(f"coordinator exited {code} after {time.monotonic() - started:.1f} s")
            for worker in workers:
                if worker.poll() is None:
                    worker.send_signal(signal.SIGTERM)
                    worker.wait(timeout=60)
            failures = report(db, servers, spec, workers, victim, job, retaken)
        finally:
            for process in processes:
                if process.poll() is None:
                    process.kill()
            for server in servers:
                server.stop()
            redis_process.terminate()
            redis_process.wait(timeout=10)
    print("all checks passed" if not failures else "FAILED: " + "; ".join(failures))
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
