"""Table-driven change-monitor scenarios (tests/scenarios/changes.yaml): mutation → exact events."""

from __future__ import annotations

import asyncio
import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import yaml

from monitor.changes import FieldChange
from monitor.config.loader import load_config
from monitor.crawl.recheck import recheck
from monitor.store.db import Store
from replica import mutations
from replica.content import seed_notices
from replica.faults import Fault
from replica.generator import generate_notices
from replica.model import Site
from replica.server import ReplicaServer
from tests.helpers import run_cli

SCENARIOS = yaml.safe_load((Path(__file__).parent / "scenarios" / "changes.yaml").read_text(encoding="utf-8"))
RELATIVE = re.compile(r"^today([+-]\d+)$")


def relative(value: object) -> object:
    """'today+20' → an ISO date relative to today (UTC), so window-open cases stay open."""
    if isinstance(value, str) and (match := RELATIVE.match(value)):
        return (datetime.now(UTC).date() + timedelta(days=int(match[1]))).isoformat()
    return value


def describe(text: str) -> str:
    return re.sub(r"today[+-]\d+", lambda m: str(relative(m[0])), text)


SEED_000, SEED_001, SEED_003 = 4512001, 4512002, 4498003  # replica.content's post ids of the seeds


def column() -> Site:
    seeds = sorted(seed_notices(), key=lambda n: [SEED_000, SEED_001, SEED_003].index(n.post_id))
    generated = generate_notices(4, seed=11, start_id=3_900_001)
    return Site(id="zgls", column="/xunshizgls/", theme="wendang", per_page=5, site_name="南粤清风网",
                column_name="整改落实", notices=[*seeds, *generated])


class Scenario:
    def __init__(self, server: ReplicaServer, tmp: Path):
        self.server = server
        self.site = server.sites[0]
        self.posts = {i: n.post_id for i, n in enumerate(self.site.notices)}
        self.config = tmp / "config.yaml"
        self.db = tmp / "s.db"
        self.config.write_text(json.dumps({
            "defaults": {"download_delay": 0, "retries": 0, "removal_after_failures": 3},
            "sources": [{"id": "zgls", "kind": "nfcms", "start_urls": [server.url(self.site.list_url(1))]}],
        }), encoding="utf-8")

    def url(self, index: int | str) -> str:
        return self.server.url(self.site.detail_url(self.posts[index]))

    def crawl(self, *extra: str) -> None:
        out = run_cli("crawl", *extra, "--config", self.config, "--db", self.db)
        assert out.returncode in (0, 1), out.stderr
        assert "Traceback" not in out.stderr, out.stderr

    def recheck(self) -> None:
        config = load_config(self.config)
        with Store(self.db, removal_after=config.defaults.removal_after_failures) as store:
            asyncio.run(recheck(config, config.sources, store, everything=True))

    def step(self, step: str | dict) -> None:
        if step == "crawl":
            return self.crawl()
        if step == "crawl_full":
            return self.crawl("--full")
        if step == "recheck":
            return self.recheck()
        if step == "publish":
            notice = mutations.next_notice(self.site, seed=5)
            mutations.publish(self.site, notice)
            self.posts["new"] = notice.post_id
            return None
        (op, arg), *options = step.items()
        options = dict(options)
        if op == "list_fault":
            self.server.faults[self.site.list_url(1)] = Fault(status=arg)
        elif op == "edit_field":
            mutations.edit_field(self.site, self.posts[arg], options["field"], relative(options["value"]))
        elif op == "edit_body":
            old = self.site.find(self.posts[arg]).paragraphs[options["paragraph"]]
            mutations.edit_body(self.site, self.posts[arg], options["paragraph"], old + options["append"])
        elif op == "move":
            mutations.move(self.site, self.posts[arg], options["to"])
            self.posts[arg] = options["to"]
        else:  # churn, remove, restore, redirect_home, challenge: (site, post_id)
            getattr(mutations, op)(self.site, self.posts[arg])
        return None


@pytest.mark.parametrize("case", SCENARIOS, ids=[c["name"] for c in SCENARIOS])
def test_scenario(case: dict, tmp_path: Path) -> None:
    with ReplicaServer([column()]) as server:
        scenario = Scenario(server, tmp_path)
        scenario.crawl()
        with Store(scenario.db) as store:
            baseline = store.count("events")
            baseline_runs = store.count("runs")
            assert baseline == len(scenario.site.notices)
        for step in case["steps"]:
            scenario.step(step)
        with Store(scenario.db) as store:
            events = store.events()[baseline:]
            runs = list(store.rows("select status from runs where mode != 'recheck' order by id"))[baseline_runs:]
        want = [expectation(scenario, e) for e in case["expect"]]
    got = [summarise(e, e.kind) for e in events]
    assert got == want
    if "runs_failed" in case:
        assert [r["status"] for r in runs] == ["failed"] * case["runs_failed"]


def summarise(event, kind: str) -> dict:
    out = {"kind": kind, "url": event.url}
    if kind == "changed":
        out["changes"] = [FieldChange(c["field"], c["old"], c["new"]).describe() for c in event.changes]
    if kind == "removed":
        out["window_open"] = event.window_open
    return out


def expectation(scenario: Scenario, expected: dict) -> dict:
    out = {"kind": expected["kind"], "url": scenario.url(expected["post"])}
    if expected["kind"] == "changed":
        out["changes"] = [describe(c) for c in expected["changes"]]
    if expected["kind"] == "removed":
        out["window_open"] = expected["window_open"]
    return out
