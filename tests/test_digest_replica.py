"""A digest of real crawls: the replica portal, mutated between crawls and re-checks (as in
tests/test_change_scenarios.py), then `noticewatch digest` in every format."""

from __future__ import annotations

import json
from pathlib import Path

import feedparser
import yaml
from click.testing import CliRunner

from monitor.cli.digest import register
from monitor.cli.main import cli
from replica.server import ReplicaServer
from tests.test_change_scenarios import Scenario, column

register(cli)  # until monitor/cli/main.py calls it


def test_digest_of_a_mutated_replica(tmp_path: Path) -> None:
    with ReplicaServer([column()]) as server:
        scenario = Scenario(server, tmp_path)
        scenario.crawl()
        for step in (
            {"edit_field": 0, "field": "disclosure_end", "value": "today+20"},
            {"edit_field": 0, "field": "disclosure_start", "value": "today-5"},
            {"edit_field": 1, "field": "disclosure_end", "value": "today+2"},
            {"edit_field": 1, "field": "disclosure_start", "value": "today-20"},
            "recheck",
            {"remove": 0},
            "recheck", "recheck", "recheck",
            "publish",
            "crawl",
        ):
            scenario.step(step)
        config = yaml.safe_load(scenario.config.read_text(encoding="utf-8"))
        config["digest"] = {"targets": [{"id": "archive", "type": "file", "path": "out/", "format": "html"}]}
        scenario.config.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
        outputs = {}
        for fmt in ("terminal", "md", "html", "json", "atom"):
            result = CliRunner().invoke(cli, ["digest", "--since", "1h", "--format", fmt, "--config",
                                              str(scenario.config), "--db", str(scenario.db)])
            assert result.exit_code == 0, result.output
            outputs[fmt] = result.output
        urls = {0: scenario.url(0), 1: scenario.url(1)}
        sent = CliRunner().invoke(cli, ["digest", "--send", "--config", str(scenario.config), "--db", str(scenario.db)])
        assert sent.exit_code == 0 and "archive: delivered" in sent.output, sent.output

    data = json.loads(outputs["json"])
    keys = [s["key"] for s in data["sections"]]
    assert keys[:4] == ["withdrawn", "new", "changed", "closing_soon"], keys
    [withdrawn] = data["sections"][0]["groups"][0]["items"]
    assert withdrawn["notice"]["url"] == urls[0] and withdrawn["window_open"]
    changed_fields = {c["field"] for s in data["sections"] if s["key"] == "changed" for g in s["groups"]
                      for i in g["items"] for c in i["changes"]}
    assert {"disclosure_end", "disclosure_start"} <= changed_fields
    closing = [i["notice"]["url"] for s in data["sections"] if s["key"] == "closing_soon" for g in s["groups"]
               for i in g["items"]]
    assert urls[1] in closing
    assert "Withdrawn while open for comment" in outputs["terminal"]
    assert "## ⚠ Withdrawn while open for comment (1)" in outputs["md"]
    feed = feedparser.parse(outputs["atom"])
    assert not feed.bozo and len(feed.entries) == data["events"]["count"]
    assert len(list((tmp_path / "out").glob("digest-*.html"))) == 1
