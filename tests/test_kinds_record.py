"""`noticewatch record` against the replica, then the recording served by the replica and crawled
offline: the same notices as a crawl of the live (replica) portal."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from replica.faults import FAULTS
from replica.hanweb import PROXY
from replica.recorded import RecordedServer
from replica.server import ReplicaServer
from replica.sites import build_hanweb_sites, build_trs_sites
from tests.helpers import ROOT, cli_env
from tests.kind_checks import crawl_config, stored

# monitor/cli/main.py does not call register() yet: run the CLI with the record command added.
_CLI = "from monitor.cli.main import cli; from monitor.cli.record import register; register(cli); cli()"


def record(config: Path, source_id: str, out: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", _CLI, "record", source_id, "--config", str(config), "--out", str(out), *args],
        cwd=ROOT,
        env=cli_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )


def write_config(tmp: Path, source: dict) -> Path:
    config = tmp / "config.yaml"
    data = {"defaults": {"download_delay": 0, "retries": 0}, "sources": [source]}
    config.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return config


def by_path(notices: dict) -> dict:
    from urllib.parse import urlsplit

    return {urlsplit(url).path: n.replace(url=None) for url, n in notices.items()}


@pytest.mark.parametrize(
    ("build", "kind", "path", "max_pages"),
    [
        (build_trs_sites, "trs", "/xsxcn/index.html", 2),
        (build_hanweb_sites, "hanweb", "/col/col1234/index.html", 3),
    ],
)
def test_record_then_crawl_the_recording(tmp_path: Path, build, kind: str, path: str, max_pages: int) -> None:
    with ReplicaServer(build()) as live:
        source = {"id": "src", "kind": kind, "start_urls": [live.url(path)], "max_pages": max_pages}
        out = record(
            write_config(tmp_path, source),
            "src",
            tmp_path / "rec",
            "--max-pages",
            str(max_pages),
            "--details",
            "0",
        )
        assert out.returncode == 0, out.stderr
        (tmp_path / "live").mkdir()
        _, live_crawl = crawl_config(tmp_path / "live", source)
        assert live_crawl.returncode == 0, live_crawl.stderr
        live_notices = by_path(stored(tmp_path / "live" / "notices.db"))
    manifest = json.loads((tmp_path / "rec" / "manifest.json").read_text(encoding="utf-8"))
    assert {e["status"] for e in manifest["entries"]} <= {200, 404}
    assert f"recorded {len(manifest['entries'])} answer(s)" in " ".join(out.stdout.split()), out.stdout
    if kind == "hanweb":
        # Seen failing under load (the POST missing from the recording: it went on a connection the
        # replica was closing, see the test below): say why if it does.
        assert any(e["method"] == "POST" and "columnid=1234" in e["body"] for e in manifest["entries"]), (
            [(e["method"], e.get("url"), e["status"]) for e in manifest["entries"]], out.stderr[-3000:])
    with RecordedServer(tmp_path / "rec") as recorded:
        (tmp_path / "offline").mkdir()
        db, out = crawl_config(tmp_path / "offline", {**source, "start_urls": [recorded.url(path)]})
        assert out.returncode == 0, out.stderr
        offline = by_path(stored(db))
    assert offline and offline == live_notices


def test_record_limits_detail_pages(tmp_path: Path) -> None:
    with ReplicaServer(build_trs_sites()) as live:
        source = {"id": "src", "kind": "trs", "start_urls": [live.url("/xsxcn/")], "max_pages": 1}
        out = record(write_config(tmp_path, source), "src", tmp_path / "rec", "--details", "2")
        assert out.returncode == 0, out.stderr
    entries = json.loads((tmp_path / "rec" / "manifest.json").read_text(encoding="utf-8"))["entries"]
    details = [e for e in entries if "/t20" in e["url"]]
    assert len(details) == 2


def test_a_post_sent_as_the_server_closes_the_connection_is_sent_again(tmp_path: Path) -> None:
    # The flake above: the data proxy POST went on the reused keep-alive connection the replica
    # was closing (it closes each one after its answer); Twisted resends only a GET by itself, and
    # with `retries: 0` the recording lacked the POST. Waiting before it closes, the replica makes
    # this happen every time.
    with ReplicaServer(build_hanweb_sites()) as live:
        live.close_delay = 0.5
        source = {"id": "src", "kind": "hanweb", "start_urls": [live.url("/col/col1234/index.html")]}
        out = record(write_config(tmp_path, source), "src", tmp_path / "rec", "--details", "1")
        posts = [r for r in live.requests if r.method == "POST"]
    assert out.returncode == 0, out.stderr
    manifest = json.loads((tmp_path / "rec" / "manifest.json").read_text(encoding="utf-8"))
    proxy = [(e["method"], e["status"]) for e in manifest["entries"] if PROXY in e["url"]]
    assert proxy == [("POST", 200)]
    assert "unanswered" not in manifest
    assert len(posts) == 1  # the first one was never read


def test_a_request_without_answer_fails_the_recording(tmp_path: Path) -> None:
    with ReplicaServer(build_hanweb_sites()) as live:
        live.faults[PROXY] = FAULTS["refused"]  # closed without a byte of answer
        source = {"id": "src", "kind": "hanweb", "start_urls": [live.url("/col/col1234/index.html")]}
        out = record(write_config(tmp_path, source), "src", tmp_path / "rec", "--details", "1")
    assert out.returncode == 1
    assert "incomplete recording, 1 request(s) got no answer" in out.stderr
    manifest = json.loads((tmp_path / "rec" / "manifest.json").read_text(encoding="utf-8"))
    [missing] = manifest["unanswered"]
    assert missing["method"] == "POST" and PROXY in missing["url"] and "columnid=1234" in missing["body"]


def test_a_folder_without_manifest_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="manifest.json"):
        RecordedServer(tmp_path)
