"""Start-up cost of the read-only commands: what they import.

`noticewatch status` reads its database in ~40 ms; before this file's checks existed it took ~0.8 s
end to end, nearly all of it importing Scrapy, Twisted and the parser through the config loader.
Each command here runs in a fresh interpreter (as users run it) on a small database and the
shipped config.yaml (whose founder_epaper source sets kind options), and the modules it left in
sys.modules are checked. bench/store_bench.py times `status --json` on the 100k-notice store.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from crawler.kinds import BASE_OPTION_KEYS, KIND_NAMES, REGISTRY, spider_for
from tests.helpers import ROOT, cli_env

SHIPPED = ROOT / "config.yaml"
# Never imported by a command that only reads (the crawl machinery and the spiders).
CRAWLING = ("scrapy", "twisted", "crawler.kinds.base", "crawler.politeness", "monitor.crawl.runner")
# `status` reads with sqlite3 alone, and prints JSON without rich.
STATUS_JSON_FREE = (*CRAWLING, "crawler.parser", "sqlite_utils", "monitor.store.db", "rich", "httpx")

CHILD = r"""
import json, sys
from monitor.cli.main import main
modules_file, sys.argv = sys.argv[1], ["noticewatch", *sys.argv[2:]]
try:
    main()
except SystemExit as exc:
    code = exc.code
else:
    code = 0
with open(modules_file, "w") as f:
    json.dump({"code": code, "modules": sorted(sys.modules)}, f)
"""


@pytest.fixture(scope="module")
def small_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from crawler.items import NoticeItem
    from crawler.notice import Notice
    from crawler.politeness import registered_domain
    from monitor.store.db import Store

    path = tmp_path_factory.mktemp("startup") / "small.db"
    url = "https://www.gdjct.gd.gov.cn/xunshizgls/content/post_1.html"
    with Store(path) as store:
        store.sync_source("gdjct_zgls", "整改落实", "nfcms", ["https://www.gdjct.gd.gov.cn/xunshizgls/index.html"])
        run_id = store.start_run("gdjct_zgls")
        notice = Notice(title="中共横琴关于巡视整改进展情况的通报", url=url, source_id="gdjct_zgls",
                        published_at="2024-09-26", body_text="横琴巡视整改。", content_hash="h1")
        store.save_item(NoticeItem("gdjct_zgls", url, notice, "2024-09-27T00:00:00+00:00", "raw"), run_id)
        store.finish_run(run_id, "completed", 1, [], {})
        store.db.execute(
            "insert into domain_pauses (domain, paused_at, paused_until, source_id, reason) values "
            "(?, '2024-01-01T00:00:00+00:00', '2999-01-01T00:00:00+00:00', 'gdjct_zgls', 'blocked: 412')",
            [registered_domain(url)],
        )
        store.db.execute(
            "insert into daemon (id, pid, host, started_at, heartbeat_at, stopped_at, stop_reason) values "
            "(1, 1, 'elsewhere', '2024-01-01T00:00:00+00:00', '2024-01-01T00:00:00+00:00', "
            "'2024-01-02T00:00:00+00:00', 'SIGTERM')"
        )
        store.db.conn.commit()
    return path


def run_child(tmp_path: Path, *args: str | Path) -> tuple[subprocess.CompletedProcess[str], set[str]]:
    modules_file = tmp_path / "modules.json"
    done = subprocess.run(
        [sys.executable, "-c", CHILD, str(modules_file), *map(str, args)],
        cwd=ROOT, env=cli_env(), capture_output=True, text=True, timeout=120,
    )
    result = json.loads(modules_file.read_text(encoding="utf-8"))
    assert result["code"] in (0, None), f"{args}: exit {result['code']}\n{done.stdout}\n{done.stderr}"
    return done, set(result["modules"])


def imported(modules: set[str], names: tuple[str, ...]) -> list[str]:
    return sorted(m for m in modules if any(m == n or m.startswith(n + ".") for n in names))


def test_status_json_imports_no_scrapy_store_or_rich(tmp_path: Path, small_db: Path) -> None:
    done, modules = run_child(tmp_path, "status", "--json", "--config", SHIPPED, "--db", small_db)
    report = json.loads(done.stdout)
    by_id = {s["id"]: s for s in report["sources"]}
    assert by_id["gdjct_zgls"]["health"] == "blocked"  # the paused domain was matched
    assert by_id["gdjct_zgls"]["last_status"] == "completed"
    assert by_id["macaodaily"]["health"] == "pending"
    assert report["daemon"]["stop_reason"] == "SIGTERM"
    assert imported(modules, STATUS_JSON_FREE) == []


def test_status_takes_cron_periods_from_the_daemon_instead_of_importing_a_cron_evaluator(
    tmp_path: Path, small_db: Path
) -> None:
    """The shipped config schedules with cron lines; evaluating one imports APScheduler (~70 ms of a
    ~200 ms budget). The daemon stores each job's period (daemon_jobs.period): status uses it when
    the schedule text is the same, and only then."""
    import shutil
    import sqlite3

    db = tmp_path / "daemon.db"
    shutil.copy(small_db, db)
    with sqlite3.connect(db) as conn:
        conn.execute("delete from domain_pauses")
        conn.execute("update runs set started_at = '2024-09-27T00:00:00+00:00', finished_at = '2024-09-27T00:01:00+00:00'")
        # A period no cron line in the config has: proof that the stored one was used.
        conn.execute("insert into daemon_jobs (job, source_id, schedule, period) values "
                     "('crawl:gdjct_zgls', 'gdjct_zgls', '0 */6 * * *', 3600)")
    done, modules = run_child(tmp_path, "status", "--json", "--config", SHIPPED, "--db", db)
    by_id = {s["id"]: s for s in json.loads(done.stdout)["sources"]}
    assert by_id["gdjct_zgls"]["health"] == "silent"
    assert "scheduled every 1h" in by_id["gdjct_zgls"]["reason"]
    # Sources the daemon has not scheduled yet have no stored period: computed (APScheduler) as before.
    assert "apscheduler" in modules
    with sqlite3.connect(db) as conn:
        conn.execute("update daemon_jobs set schedule = 'every 2h'")  # the config changed since
    done, _ = run_child(tmp_path, "status", "--json", "--config", SHIPPED, "--db", db)
    reason = {s["id"]: s for s in json.loads(done.stdout)["sources"]}["gdjct_zgls"]["reason"]
    assert "scheduled every 6h" in reason


def test_status_with_every_job_scheduled_by_the_daemon_imports_no_cron_evaluator(
    tmp_path: Path, small_db: Path
) -> None:
    import shutil
    import sqlite3

    from monitor.config.loader import load_config

    db = tmp_path / "daemon.db"
    shutil.copy(small_db, db)
    with sqlite3.connect(db) as conn:
        conn.executemany("insert into daemon_jobs (job, source_id, schedule, period) values (?, ?, ?, 21600)",
                         [(f"crawl:{s.id}", s.id, s.schedule) for s in load_config(SHIPPED).sources])
    _, modules = run_child(tmp_path, "status", "--json", "--config", SHIPPED, "--db", db)
    assert imported(modules, ("apscheduler",)) == []


@pytest.mark.parametrize(
    "args",
    [
        ["--help"],
        ["status", "--help"],
        ["notices", "list", "--help"],
        ["status"],
        ["sources", "list"],
        ["notices", "list", "--json"],
        ["notices", "list"],
        ["notices", "show", "1", "--json"],
        ["events", "--json"],
        ["history", "1", "--json"],
        ["search", "横琴", "--json"],
    ],
    ids=" ".join,
)
def test_read_only_commands_import_no_scrapy(tmp_path: Path, small_db: Path, args: list[str]) -> None:
    options = [] if "--help" in args else ["--config", SHIPPED, "--db", small_db]
    done, modules = run_child(tmp_path, *args, *options)
    assert done.stdout.strip()
    assert imported(modules, CRAWLING) == [], f"`noticewatch {' '.join(args)}` imports the crawl machinery"
    if "--help" in args:
        assert imported(modules, STATUS_JSON_FREE) == []


def test_the_kind_registry_agrees_with_the_spiders() -> None:
    """crawler/kinds/__init__.py repeats each spider's keys so the config loader needs no spider."""
    from crawler.kinds import base

    assert BASE_OPTION_KEYS == base.BASE_OPTION_KEYS
    assert KIND_NAMES == tuple(REGISTRY)
    for name, kind in REGISTRY.items():
        spider = spider_for(name)
        assert spider.name == name
        assert kind.option_keys == spider.option_keys, name
        assert kind.selector_keys == spider.selector_keys, name
        assert kind.kind_option_keys() == spider.kind_option_keys(), name
        # The config loader skips the spider (and its import) for a source without kind options.
        assert spider.check_options({}) == {}, name


def test_copies_kept_for_start_up_agree_with_their_originals() -> None:
    from monitor.cli import digest as cli_digest
    from monitor.digest.render import FORMATS

    assert cli_digest.FORMATS == FORMATS


def test_a_read_only_command_does_not_check_kind_options_but_crawling_does(tmp_path: Path) -> None:
    from monitor.cli.main import Context
    from monitor.config.errors import ConfigError

    config = tmp_path / "config.yaml"
    config.write_text(
        "sources:\n  - id: paper\n    kind: founder_epaper\n    start_urls: [http://127.0.0.1/x.htm]\n"
        "    days: 99\n", encoding="utf-8")
    ctx = Context(config, tmp_path / "x.db")
    [source] = ctx.config(full_check=False).sources
    assert source.options == {"days": 99}
    with pytest.raises(RuntimeError, match="not checked"):
        source.spec()
    with pytest.raises(ConfigError, match=r"sources\[paper\]: days: expected a whole number from 1 to 31"):
        ctx.config()


def test_without_v_the_log_handler_is_made_on_the_first_record_beside_the_others() -> None:
    import logging

    from monitor.cli.main import configure_logging

    root = logging.getLogger()
    saved = root.handlers[:], root.level
    seen: list[str] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            seen.append(record.getMessage())

    try:
        configure_logging(0)
        [stand_in] = root.handlers
        keep = Keep()
        root.addHandler(keep)  # as a test's caplog does after the CLI ran in-process
        logging.getLogger("tests.startup").info("below WARNING")
        assert stand_in.handlers is None  # nothing logged yet: monitor.logs' handler not made
        logging.getLogger("tests.startup").warning("first")
        logging.getLogger("tests.startup").warning("second")
        assert seen == ["first", "second"]
        assert root.handlers == [stand_in, keep] and root.level == logging.WARNING
        assert [type(h).__name__ for h in stand_in.handlers] == ["RichHandler"]
    finally:
        root.handlers[:], level = saved
        root.setLevel(level)
