"""Scale-out (issue 17) with a real redis-server: a coordinator and three workers on one machine
against replica portals on four loopback hosts; one worker killed -9 mid-crawl."""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from monitor.store.db import Store
from replica import timed
from replica.sites import build_demo_sites
from tests.helpers import ROOT, cli_env

pytestmark = pytest.mark.skipif(shutil.which("redis-server") is None,
                                reason="redis-server not installed (.ci/run installs it)")

HOSTS = ("127.0.3.1", "127.0.3.2", "127.0.3.3", "127.0.3.4")
SERVE_TIME = 0.03  # seconds each request is held inside the server: overlaps would show


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class RedisServer:
    """A real redis-server on a free port in a tmp dir; `restart()` keeps port and data (AOF)."""

    def __init__(self, folder: Path, aof: bool = False):
        self.port = free_port()
        self.folder = folder
        self.aof = aof
        self.process: subprocess.Popen | None = None
        self.url = f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> RedisServer:
        persistence = ["--appendonly", "yes", "--appendfsync", "always"] if self.aof else ["--appendonly", "no"]
        self.process = subprocess.Popen(["redis-server", "--port", str(self.port), "--bind", "127.0.0.1",
                                         "--save", "", *persistence, "--dir", str(self.folder)],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", self.port)) == 0:
                    return self
            time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[RedisServer]:
    folder = tmp_path / "redis"
    folder.mkdir()
    server = RedisServer(folder, aof=True).start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def redis_url(redis_server: RedisServer) -> str:
    return redis_server.url


class TimedReplica(timed.TimedReplica):
    serve_time = SERVE_TIME



def cluster_config(servers: list[TimedReplica], redis_url: str, job_timeout: float = 300) -> dict:
    sources = [
        {"id": f"{site.id}_{i}", "name": site.column_name, "kind": "nfcms",
         "start_urls": [server.url(f"{site.column}index.html")], "max_pages": 10, "schedule": "every 1h"}
        for i, server in enumerate(servers) for site in server.sites
    ]
    return {"defaults": {"download_delay": 0, "retries": 0, "jitter": 0},
            "cluster": {"redis": redis_url, "job_timeout": job_timeout, "lease_ttl": 2},
            "sources": sources}


def start(*args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "monitor", *args], cwd=ROOT, env=cli_env(),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def crawling_worker(workers: list[subprocess.Popen], redis_url: str) -> subprocess.Popen | None:
    from monitor.cluster.registry import read_status

    busy = {int(w.worker_id.rsplit(":", 1)[1]) for w in read_status(redis_url).workers if w.current}
    return next((p for p in workers if p.pid in busy), None)


def test_three_workers_one_killed_every_notice_once_no_host_twice(tmp_path: Path, redis_url: str) -> None:
    servers = [TimedReplica(build_demo_sites(), host=host).start() for host in HOSTS]
    try:
        config = tmp_path / "config.yaml"
        config.write_text(json.dumps(cluster_config(servers, redis_url)), encoding="utf-8")
        db = tmp_path / "cluster.db"
        workers = [start("worker", "--config", str(config)) for _ in range(3)]
        coordinator = start("daemon", "--config", str(config), "--db", str(db), "--once")
        victim = None
        deadline = time.monotonic() + 60  # four processes starting on two busy cores
        while victim is None and time.monotonic() < deadline:
            time.sleep(0.1)
            if sum(len(s.timed) for s in servers) > 20:
                victim = crawling_worker(workers, redis_url)
        assert victim is not None, "no worker was seen crawling"
        victim.send_signal(signal.SIGKILL)
        try:
            coordinator.wait(timeout=60)
        finally:
            if coordinator.poll() is None:
                coordinator.kill()
            for w in workers:
                if w.poll() is None:
                    w.send_signal(signal.SIGTERM)
            outputs = [w.communicate(timeout=30) for w in workers]
        _, err = coordinator.communicate()
        assert coordinator.returncode == 0, err
        survivors = [w for w in workers if w is not victim]
        assert all(w.returncode in (0, 143) for w in survivors), [o[1][-2000:] for o in outputs]

        expected = {s.url(site.detail_url(n.post_id)) for s in servers for site in s.sites for n in site.notices}
        with Store(db) as store:
            stored = [n.notice.url for n in store.notices()]
            assert sorted(stored) == sorted(expected)  # every notice, each once
            assert store.count("notice_versions") == len(expected)  # one version each
            runs = list(store.db.query("select source_id, status, problems from runs"))
            jobs = list(store.db.query("select job_id, attempts, worker from cluster_jobs"))
            states = list(store.db.query("select job, last_status, consecutive_failures, next_due from daemon_jobs"))
            [daemon] = list(store.db.query("select pid, stopped_at, stop_reason from daemon"))
        # The coordinator kept the daemon's rows (noticewatch status reads them): its pid, a clean
        # stop, and per source the last run's outcome and the next due time.
        assert daemon["pid"] == coordinator.pid and daemon["stop_reason"] == "once: every source done"
        assert sorted(s["job"] for s in states) == sorted(f"crawl:{r['source_id']}" for r in runs)
        assert {(s["last_status"], s["consecutive_failures"]) for s in states} == {("completed", 0)}
        assert all(s["next_due"] for s in states)
        sources = {src["id"] for src in cluster_config(servers, redis_url)["sources"]}
        assert sorted(r["source_id"] for r in runs) == sorted(sources)  # one run per source
        assert {r["status"] for r in runs} == {"completed"}, runs
        # The killed worker's job was retaken (within the 60 s wait, so by its 2 s lease, not by the
        # 300 s job timeout); no live worker's job was.
        assert sorted(j["attempts"] for j in jobs) == [1] * (len(jobs) - 1) + [2], jobs
        for server in servers:
            assert timed.overlapping(server.timed) == [], server.base_url
    finally:
        for server in servers:
            server.stop()


def stored_once(db: Path, servers: list[TimedReplica]) -> list[str]:
    expected = {s.url(site.detail_url(n.post_id)) for s in servers for site in s.sites for n in site.notices}
    with Store(db) as store:
        stored = sorted(n.notice.url for n in store.notices())
        problems = [] if stored == sorted(expected) else [f"{len(stored)} stored, {len(expected)} expected"]
        if store.count("notice_versions") != len(expected):
            problems.append(f"{store.count('notice_versions')} versions")
    return problems


def test_redis_restart_mid_crawl_waits_retries_and_stores_each_notice_once(tmp_path: Path,
                                                                            redis_server: RedisServer) -> None:
    servers = [TimedReplica(build_demo_sites(), host=host).start() for host in HOSTS[:2]]
    try:
        config = tmp_path / "config.yaml"
        config.write_text(json.dumps(cluster_config(servers, redis_server.url, job_timeout=20)), encoding="utf-8")
        db = tmp_path / "cluster.db"
        worker = start("worker", "--config", str(config))
        coordinator = start("daemon", "--config", str(config), "--db", str(db), "--once")
        deadline = time.monotonic() + 20
        while sum(len(s.timed) for s in servers) < 15 and time.monotonic() < deadline:
            time.sleep(0.05)
        redis_server.stop()  # mid-crawl
        time.sleep(3)
        redis_server.start()
        try:
            coordinator.wait(timeout=60)
        finally:
            if coordinator.poll() is None:
                coordinator.kill()
            worker.send_signal(signal.SIGTERM)
            _, worker_err = worker.communicate(timeout=30)
        _, err = coordinator.communicate()
        assert coordinator.returncode == 0, err
        assert worker.returncode in (0, 143), worker_err[-2000:]
        for text in (err, worker_err):
            assert "unreachable" in text and "retrying in" in text
            assert "Traceback" not in text.split("unreachable")[0][-300:]
        assert stored_once(db, servers) == []
        with Store(db) as store:
            runs = list(store.db.query("select source_id, status from runs"))
        assert sorted(r["source_id"] for r in runs) == sorted(s["id"] for s in
                                                              cluster_config(servers, redis_server.url)["sources"])
        assert {r["status"] for r in runs} == {"completed"}
    finally:
        for server in servers:
            server.stop()


def test_job_for_a_source_not_in_the_worker_config_is_dropped_with_a_line(tmp_path: Path, redis_url: str) -> None:
    servers = [TimedReplica(build_demo_sites()[:1], host=HOSTS[0]).start()]
    try:
        full = cluster_config(servers, redis_url)
        config = tmp_path / "config.yaml"
        config.write_text(json.dumps(full), encoding="utf-8")
        old = tmp_path / "old.yaml"
        old.write_text(json.dumps({**full, "sources": [{**full["sources"][0], "id": "other"}]}), encoding="utf-8")
        db = tmp_path / "cluster.db"
        coordinator = start("daemon", "--config", str(config), "--db", str(db), "--once")
        worker = start("worker", "--config", str(old))
        try:
            coordinator.wait(timeout=30)
        finally:
            if coordinator.poll() is None:
                coordinator.kill()
            worker.send_signal(signal.SIGTERM)
            _, worker_err = worker.communicate(timeout=30)
        assert coordinator.returncode == 0
        assert f"source '{full['sources'][0]['id']}' is not (or no longer) enabled in {old}" in worker_err
        with Store(db) as store:
            assert store.count("runs") == 0 and store.count("notices") == 0
        assert servers[0].timed == []
    finally:
        servers[0].stop()


def test_status_shows_workers_and_queue_depth(tmp_path: Path, redis_url: str) -> None:
    from tests.helpers import run_cli

    config = tmp_path / "config.yaml"
    config.write_text(json.dumps({"cluster": {"redis": redis_url}, "sources": []}), encoding="utf-8")
    Store(tmp_path / "s.db").close()
    worker = start("worker", "--config", str(config))
    try:
        deadline = time.monotonic() + 20
        out = None
        while time.monotonic() < deadline:
            out = run_cli("status", "--config", config, "--db", tmp_path / "s.db")
            if f":{worker.pid} on " in out.stdout:
                break
            time.sleep(0.3)
        assert out is not None and out.returncode == 0, out and out.stderr
        assert "cluster: 0 job(s) queued" in out.stdout and "1 worker(s) alive" in out.stdout
        assert re.search(rf"worker \S+:{worker.pid} on \S+: since \d{{4}}-\d\d-\d\d .* UTC, idle, last job -, "
                         r"0 done, 0 failed", out.stdout), out.stdout
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.communicate(timeout=30)
    assert worker.returncode in (0, 143)


def test_coordinator_killed_and_restarted_loses_nothing(tmp_path: Path, redis_url: str) -> None:
    servers = [TimedReplica(build_demo_sites(), host=host).start() for host in HOSTS[:2]]
    try:
        spec = cluster_config(servers, redis_url)
        config = tmp_path / "config.yaml"
        config.write_text(json.dumps(spec), encoding="utf-8")
        db = tmp_path / "cluster.db"
        workers = [start("worker", "--config", str(config)) for _ in range(2)]
        first = start("daemon", "--config", str(config), "--db", str(db), "--once")
        deadline = time.monotonic() + 20
        while sum(len(s.timed) for s in servers) < 30 and time.monotonic() < deadline:
            time.sleep(0.05)
        first.send_signal(signal.SIGKILL)
        first.communicate()
        second = start("daemon", "--config", str(config), "--db", str(db), "--once")
        try:
            second.wait(timeout=60)
        finally:
            if second.poll() is None:
                second.kill()
            for w in workers:
                w.send_signal(signal.SIGTERM)
                w.communicate(timeout=30)
        _, err = second.communicate()
        assert second.returncode == 0, err
        assert stored_once(db, servers) == []
        with Store(db) as store:
            runs = list(store.db.query("select source_id, status from runs"))
        assert sorted(r["source_id"] for r in runs) == sorted(s["id"] for s in spec["sources"])
        assert {r["status"] for r in runs} == {"completed"}, runs
    finally:
        for server in servers:
            server.stop()


def test_domain_lease_is_exclusive_lingers_for_the_delay_and_expires(redis_url: str) -> None:
    import asyncio

    import redis.asyncio

    from monitor.cluster.lease import DomainLease, domain_paused, pause_domain

    async def scenario() -> None:
        client = redis.asyncio.Redis.from_url(redis_url)
        first, second = DomainLease(client, "zhuhai.gov.cn", ttl=0.5), DomainLease(client, "zhuhai.gov.cn", ttl=0.5)
        assert await first.try_acquire() and not await second.try_acquire()
        assert await first.renew() and not await second.renew()
        await second.release()  # not its lease: nothing happens
        assert not await second.try_acquire()
        await first.release(linger=0.3)  # the domain's delay
        assert not await second.try_acquire()
        await asyncio.sleep(0.4)
        assert await second.try_acquire()
        await asyncio.sleep(0.7)  # its holder "died": no renewal
        assert await first.try_acquire()
        await pause_domain(client, "ccdi.gov.cn", 5, "challenge page on ccdi")
        reason, left = await domain_paused(client, "ccdi.gov.cn")
        assert reason == "challenge page on ccdi" and 4 < left <= 5
        assert await domain_paused(client, "zhuhai.gov.cn") is None
        await client.aclose()

    asyncio.run(scenario())


def test_a_retaken_job_applies_each_url_once_and_records_one_run(tmp_path: Path) -> None:
    """Attempt 1 (its worker died) and attempt 2 both send a failure of a stored notice and a new
    notice: the notice's failure streak and the run's counters go up once, one version each."""
    from crawler.items import DetailFailure, NoticeItem
    from crawler.parser import parse_text
    from monitor.cluster.apply import ITEMS_TABLE, OutcomeApplier
    from monitor.cluster.protocol import Outcome
    from monitor.config.loader import load_config

    config_path = tmp_path / "config.yaml"
    config_path.write_text(json.dumps({"sources": [{"id": "src", "kind": "nfcms", "start_urls": ["http://127.0.0.1/a/"]}]}),
                           encoding="utf-8")
    config = load_config(config_path, full_check=False)
    old, new = "http://127.0.0.1/a/content/post_1.html", "http://127.0.0.1/a/content/post_2.html"

    def notice(url: str, title: str) -> NoticeItem:
        text = f"{title}\n发布时间：2024-09-26\n现将{title}有关情况公示如下。"
        return NoticeItem("src", url, parse_text(text).replace(url=url), "2024-10-01T00:00:00+00:00", "raw")

    gone = DetailFailure("src", old, "HTTP 404", "gone", "2024-10-02T00:00:00+00:00")
    with Store(tmp_path / "s.db", removal_after=3) as store:
        store.save_item(notice(old, "关于张三同志任前公示"))
        applier = OutcomeApplier(store, config)
        attempt = [Outcome("j1", "src", "start", "incremental", "w1"), Outcome("j1", "src", "item", gone, "w1"),
                   Outcome("j1", "src", "item", notice(new, "关于李四同志任前公示"), "w1")]
        assert applier.apply(attempt) == ["started", "failing", "new"]
        retaken = [Outcome("j1", "src", "start", "incremental", "w2"), *attempt[1:]]
        assert applier.apply(retaken) == ["retaken", "repeated", "repeated"]
        end = {"status": "completed", "pages": 3, "problems": [], "stats": {}, "requests": 3}
        assert applier.apply([Outcome("j1", "src", "end", end, "w2")]) == ["finished"]
        assert applier.apply([Outcome("j1", "src", "item", gone, "w1")]) == ["duplicate"]  # a straggler
        # A failure in the first attempt and a success in the second: both count, the notice is stored.
        third = "http://127.0.0.1/a/content/post_3.html"
        broken = DetailFailure("src", third, "HTTP 500", "error", "2024-10-02T00:00:00+00:00")
        later = [Outcome("j2", "src", "start", "incremental", "w1"), Outcome("j2", "src", "item", broken, "w1"),
                 Outcome("j2", "src", "start", "incremental", "w2"), Outcome("j2", "src", "item", broken, "w2"),
                 Outcome("j2", "src", "item", notice(third, "关于王五同志任前公示"), "w2")]
        assert applier.apply(later) == ["started", "unknown", "retaken", "repeated", "new"]
        [run, _] = list(store.db.query("select * from runs order by id"))
        assert (run["status"], run["failures"], run["new"], run["items"]) == ("completed", 1, 1, 1)
        assert "crawled 2 times" in run["problems"]
        [row] = list(store.db.query("select consecutive_failures from notices where url = ?", [old]))
        assert row["consecutive_failures"] == 1
        assert store.count("notice_versions") == 3
        assert [r["job_id"] for r in store.db.query(f"select distinct job_id from {ITEMS_TABLE}")] == ["j2"]


def test_leased_worker_retakes_a_dead_workers_job_fast_and_never_a_live_ones(redis_url: str) -> None:
    """Job lease 0.6 s: a job that runs 2 s (three leases) on a live worker is run once, even with
    its event loop stalled for 1.5 s; a job whose worker stopped renewing (as if killed -9) is run by
    the other worker within about a lease, not after the job timeout (60 s)."""
    import asyncio

    from arq import create_pool
    from arq.connections import RedisSettings
    from arq.worker import func

    from monitor.cluster.arqworker import LeasedWorker
    from monitor.cluster.keeper import LeaseKeeper
    from monitor.cluster.protocol import CONNECT_TIMEOUT

    runs: list[tuple[str, str, int]] = []

    async def scenario() -> None:
        settings = RedisSettings.from_dsn(redis_url)
        settings.conn_timeout = CONNECT_TIMEOUT  # worker a stalls its loop 1.5 s (as a first crawl does)
        pool = await create_pool(settings, default_queue_name="t")
        keepers: list[LeaseKeeper] = []

        def worker(name: str, seconds: float, stall: float = 0.0) -> LeasedWorker:
            async def job(ctx: dict, label: str) -> str:
                runs.append((label, name, ctx["job_try"]))
                time.sleep(stall)  # the loop stalls (the first crawl's imports do)
                await asyncio.sleep(seconds)
                return name

            keeper = LeaseKeeper(redis_url, 0.6)
            keeper.start()
            keepers.append(keeper)
            return LeasedWorker(functions=[func(job, name="job")], redis_pool=pool, queue_name="t", keeper=keeper,
                                job_lease=0.6, job_timeout=60, handle_signals=False, burst=True, poll_delay=0.05,
                                max_jobs=1)

        await pool.enqueue_job("job", "slow", _job_id="slow", _queue_name="t")
        await asyncio.gather(worker("a", 2.0, stall=1.5).main(), worker("b", 2.0).main())
        assert runs == [("slow", runs[0][1], 1)]  # once, though it outlived its lease three times

        await pool.enqueue_job("job", "orphan", _job_id="orphan", _queue_name="t")
        dying = worker("dead", 30.0)
        task = asyncio.ensure_future(dying.main())
        while not dying.running():
            await asyncio.sleep(0.02)
        dying.keeper.stop()  # it stops renewing, as a worker killed -9 does
        await worker("c", 0.1).main()
        task.cancel()
        assert [r[1:] for r in runs[1:]] == [("dead", 1), ("c", 2)], runs
        for keeper in keepers:
            keeper.stop()
        await pool.aclose()

    asyncio.run(asyncio.wait_for(scenario(), timeout=30))


def test_pacer_keeps_the_daemon_state_backoff_and_pauses(tmp_path: Path) -> None:
    """The coordinator's state rows are the daemon's: a failed run backs off (2 periods after one
    failure), a blocked page pauses the domain and pushes back its other sources, a success resets
    the streak; a second claim on a live database is refused."""
    from datetime import UTC, datetime, timedelta

    from monitor.cluster.pacing import CoordinatorBusy, DaemonParts, Pacer
    from monitor.config.loader import load_config
    from monitor.daemon.state import DaemonBusy, DaemonState, JobState

    config_path = tmp_path / "config.yaml"
    sources = [{"id": i, "kind": "nfcms", "schedule": "every 1h", "start_urls": [f"http://{host}/a/"]}
               for i, host in (("a", "x.example.gov.cn"), ("b", "y.example.gov.cn"), ("c", "other.gov.cn"))]
    config_path.write_text(json.dumps({"sources": sources}), encoding="utf-8")
    config = load_config(config_path, full_check=False)
    parts = DaemonParts(state=DaemonState, job_state=JobState, busy=DaemonBusy)
    with Store(tmp_path / "s.db") as store:
        pacer = Pacer(config, store.db, parts)
        pacer.claim()
        now = datetime.now(UTC).replace(microsecond=0)
        assert pacer.first_due("crawl:a", pacer.schedules["a"], now, pacer.sources["a"]) == now  # never run
        run = {"id": 1, "status": "failed", "started_at": now.isoformat(), "finished_at": now.isoformat(),
               "problems": json.dumps(["HTTP 500 on the list"])}
        dues = pacer.finished("a", run, None)
        state = DaemonState(store.db).job("crawl:a")
        assert state.consecutive_failures == 1 and state.last_error == "HTTP 500 on the list"
        assert dues["crawl:a"] >= now + timedelta(hours=2) and state.next_due == dues["crawl:a"]
        blocked = {**run, "id": 2, "problems": json.dumps(["blocked: 412 challenge page"])}
        dues = pacer.finished("a", blocked, None)
        assert DaemonState(store.db).job("crawl:a").consecutive_failures == 2
        pause = DaemonState(store.db).pauses(now)["example.gov.cn"]
        assert pause.until >= now + timedelta(hours=6) and "crawl:b" in dues and "crawl:c" not in dues
        assert pacer.paused(pacer.sources["b"]) is not None and pacer.paused(pacer.sources["c"]) is None
        ok = {**run, "id": 3, "status": "completed", "problems": "[]"}
        pacer.finished("c", ok, None)
        assert DaemonState(store.db).job("crawl:c").consecutive_failures == 0
        with Store(tmp_path / "s.db") as other, pytest.raises(CoordinatorBusy):
            # another process's claim: this pid is alive and its heartbeat fresh
            store.db.execute("update daemon set pid = ? where id = 1", [os.getppid()])
            Pacer(config, other.db, parts).claim()


def test_scheduled_coordinator_rechecks_under_the_lease_and_shows_in_status(tmp_path: Path, redis_url: str) -> None:
    """Without --once: the coordinator crawls each source on its schedule, runs the daemon's re-check
    job itself under the domains' leases (no request overlaps a crawl's), and `status` shows it as
    the running daemon with each source's next run."""
    from monitor.window import china_today
    from tests.helpers import run_cli

    # With `today`: notices whose disclosure windows are open now, which re-checks fetch again.
    servers = [TimedReplica(build_demo_sites(today=china_today()), host=HOSTS[0]).start()]
    try:
        spec = cluster_config(servers, redis_url)
        spec["defaults"]["recheck_schedule"] = "every 4s"
        config = tmp_path / "config.yaml"
        config.write_text(json.dumps(spec), encoding="utf-8")
        db = tmp_path / "cluster.db"
        worker = start("worker", "--config", str(config))
        coordinator = start("daemon", "--config", str(config), "--db", str(db))
        try:
            deadline, rechecked = time.monotonic() + 90, False
            while not rechecked and time.monotonic() < deadline and coordinator.poll() is None:
                time.sleep(0.5)
                with contextlib.suppress(Exception), Store(db) as store:
                    rechecked = bool(list(store.db.query("select 1 from daemon_jobs where job = 'recheck' "
                                                         "and last_status = 'completed'")))
            out = run_cli("status", "--config", config, "--db", db)
        finally:
            coordinator.send_signal(signal.SIGTERM)
            worker.send_signal(signal.SIGTERM)
            _, err = coordinator.communicate(timeout=30)
            worker.communicate(timeout=30)
        assert rechecked, err[-3000:]
        assert f"daemon: running, pid {coordinator.pid}" in out.stdout, out.stdout
        assert re.search(r"│ completed │ in \d", out.stdout), out.stdout  # each source's next run
        with Store(db) as store:
            runs = [(r["source_id"], r["mode"], r["status"]) for r in store.db.query("select * from runs")]
            [daemon] = list(store.db.query("select stop_reason from daemon"))
        crawls = [r for r in runs if r[1] != "recheck"]
        assert sorted(r[0] for r in crawls) == sorted(s["id"] for s in spec["sources"]), runs
        assert {r[2] for r in runs} == {"completed"}, runs
        assert any(r[1] == "recheck" for r in runs), runs  # it fetched stored notices again
        assert daemon["stop_reason"] == "SIGTERM"
        assert timed.overlapping(servers[0].timed) == []
    finally:
        servers[0].stop()


def test_a_domain_lease_taken_under_its_holder_is_reported_lost(redis_url: str) -> None:
    """The keeper renews a held lease; once another holder has the key (the lease had expired
    under a stalled worker), the next renewal calls `on_lost` on the loop (the worker stops its crawl)."""
    import asyncio

    import redis.asyncio

    from monitor.cluster.keeper import LeaseKeeper
    from monitor.cluster.lease import DomainLease

    async def scenario() -> None:
        client = redis.asyncio.Redis.from_url(redis_url)
        keeper = LeaseKeeper(redis_url, 0.6)
        keeper.start()
        lease = DomainLease(client, "zhuhai.gov.cn", ttl=0.6)
        lost = asyncio.Event()
        lease.on_lost = lost.set
        assert await lease.try_acquire()
        async with lease.held(linger=0, keeper=keeper):
            await asyncio.sleep(1.5)  # 2.5 leases: renewed, still ours
            assert not lease.lost and await client.get(lease.key) == lease.token.encode()
            await client.set(lease.key, "another worker", px=5000)
            await asyncio.wait_for(lost.wait(), timeout=3)
        assert lease.lost and await client.get(lease.key) == b"another worker"  # not released: not ours
        keeper.stop()
        await client.aclose()

    asyncio.run(scenario())
