"""Credentials in a start URL (issue 19) never reach the terminal, status, or digests: every problem
line, log line and shown URL has them replaced by ***."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from crawler.links import redact
from replica.faults import FAULTS
from replica.server import ReplicaServer
from tests.fault_checks import column
from tests.helpers import run_cli

SECRET = "s3cret-pw"


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("list_failed: HTTP 500 (http://alice:s3cret-pw@h:8/x)", "list_failed: HTTP 500 (http://***@h:8/x)"),
        ("invalid hostname: alice:s3cret-pw@127.0.0.1", "invalid hostname: ***@127.0.0.1"),
        ("https://token@h/feed", "https://***@h/feed"),
        ("e-mail jw@zhuhai.gov.cn, http://h/a@b", "e-mail jw@zhuhai.gov.cn, http://h/a@b"),
    ],
)
def test_redact(text: str, shown: str) -> None:
    assert redact(text) == shown


def test_no_command_shows_a_start_urls_credentials(tmp_path: Path) -> None:
    with ReplicaServer([column()]) as server:
        url = server.url(server.sites[0].list_url(1)).replace("http://", f"http://alice:{SECRET}@")
        config = tmp_path / "config.yaml"
        config.write_text(json.dumps({"defaults": {"download_delay": 0, "retries": 0},
                                      "sources": [{"id": "zgls", "kind": "nfcms", "start_urls": [url]}]}))
        db = tmp_path / "nw.db"
        server.faults[server.sites[0].list_url(1)] = FAULTS["http_500"]
        outputs = [run_cli("crawl", "--config", config, "--db", db)]
        for command in (["status"], ["status", "--json"], ["sources", "list"], ["digest", "--format", "md"],
                        ["digest", "--format", "json"], ["digest", "--format", "html"]):
            outputs.append(run_cli(*command, "--config", config, "--db", db))
    for out in outputs:
        assert "Traceback" not in out.stderr
        assert SECRET not in out.stdout + out.stderr, out.args
    assert "***@" in outputs[1].stdout + outputs[2].stdout
