"""Property (issue 19): any command given a bad argument fails cleanly — exit code 1 (an error the
command found) or 2 (a usage error), exactly one line on stderr, no traceback — and leaves the
database exactly as it was. Hypothesis draws the command, the bad value and the option it goes to.

Each example is a real `noticewatch` process (~0.3 s); the config's one source is a loopback port
nothing listens on, so a bad argument that slipped through could not reach a real portal."""

from __future__ import annotations

import hashlib
import json
import sqlite3
import string
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from replica.server import ReplicaServer
from tests.fault_checks import column
from tests.helpers import run_cli

EXAMPLES = 45  # ~0.4 s each: well under a minute

# Values no whole-number option takes.
bad_counts = st.one_of(
    st.integers(max_value=0).map(str),
    st.integers(min_value=2**63, max_value=10**40).map(str),
    st.sampled_from(["", "abc", "1.5", "1e3", "--", "٣", "0x10"]),
)
bad_spans = st.one_of(
    st.integers(min_value=10**9, max_value=10**20).map(lambda n: f"{n}d"),
    st.sampled_from(["", " ", "yesterday", "2024-13-45", "3x", "-3d", "1e9w", "99999999999999999999h"]),
)
words = st.text(alphabet=string.ascii_lowercase + "_-", min_size=3, max_size=20).map(lambda w: "zz" + w)
bad_ids = st.one_of(st.integers(min_value=10**6, max_value=10**30).map(str), words.map(lambda w: f"http://{w}.invalid/x"))
bad_encodings = st.sampled_from(["nonsense", "rot13", "base64", "zlib", "utf-9", "", "gb-2312x"])
bad_dates = st.sampled_from(["", "2024-02-30", "tomorrow", "31/12/2024", "99999-01-01"])
bad_ports = st.one_of(st.integers(min_value=65536, max_value=10**12).map(str), st.integers(max_value=-1).map(str))


def _cases(paths: dict[str, Path]) -> st.SearchStrategy[list[str]]:
    """(command words + one or two bad options) as argv lists."""
    one = st.one_of(
        bad_counts.map(lambda v: ["notices", "list", "--limit", v]),
        bad_counts.map(lambda v: ["search", "x", "--limit", v]),
        bad_counts.map(lambda v: ["crawl", "--max-pages", v]),
        bad_counts.map(lambda v: ["recheck", "--limit", v]),
        bad_counts.map(lambda v: ["history", "1", "--version", v]),
        bad_spans.map(lambda v: ["events", "--since", v]),
        bad_spans.map(lambda v: ["digest", "--since", v]),
        bad_spans.map(lambda v: ["notices", "list", "--closing-within", v]),
        bad_ids.map(lambda v: ["notices", "show", v]),
        bad_ids.map(lambda v: ["history", v]),
        words.map(lambda v: ["notices", "list", "--source", v]),
        words.map(lambda v: ["search", "x", "--source", v]),
        words.map(lambda v: ["events", "--kind", v]),
        words.map(lambda v: ["search", "x", "--type", v]),
        words.map(lambda v: ["digest", "--format", v]),
        words.map(lambda v: ["crawl", v]),
        words.map(lambda v: ["sources", "check", v]),
        words.map(lambda v: ["digest", "-o", str(paths["tmp"] / f"{v}.pdf")]),
        words.map(lambda v: ["notices", "list", f"--{v}"]),
        words.map(lambda v: [v]),
        bad_encodings.map(lambda v: ["parse", str(paths["page"]), "--encoding", v]),
        bad_dates.map(lambda v: ["search", "x", "--open-on", v]),
        bad_ports.map(lambda v: ["serve", "--port", v]),
        bad_ports.map(lambda v: ["replica", "serve", "--port", v]),
        st.sampled_from([
            ["digest", "-o", str(paths["file"] / "d.md")],
            ["notices", "list", "--db", str(paths["file"] / "x.db")],
            ["notices", "list", "--db", str(paths["foreign"])],
            ["events", "--db", str(paths["tmp"])],
            ["sources", "list", "--config", str(paths["bomb"])],
            ["crawl", "--config", str(paths["bomb"])],
            ["sources", "list", "--config", str(paths["bad_cron"])],
            ["crawl", "--config", str(paths["bad_url"])],
            ["notices", "list", "--json", "--csv"],
        ]),
    )
    return one


def _fingerprint(db: Path) -> str:
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
        return hashlib.sha256("\n".join(conn.iterdump()).encode()).hexdigest()


@pytest.fixture(scope="module")
def paths(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    tmp = tmp_path_factory.mktemp("cliprops")
    db = tmp / "nw.db"
    with ReplicaServer([column()]) as server:
        live = tmp / "live.yaml"
        live.write_text(json.dumps({"defaults": {"download_delay": 0, "retries": 0}, "sources": [
            {"id": "zgls", "kind": "nfcms", "start_urls": [server.url(server.sites[0].list_url(1))]}]}))
        out = run_cli("crawl", "--config", live, "--db", db)
        assert out.returncode == 0, out.stderr
    config = tmp / "config.yaml"  # the same source id, on a port nothing listens on
    config.write_text(json.dumps({"defaults": {"download_delay": 0, "retries": 0, "timeout": 2}, "sources": [
        {"id": "zgls", "kind": "nfcms", "start_urls": ["http://127.0.0.1:9/xunshizgls/index.html"]}]}))
    (tmp / "afile").write_text("not a folder")
    foreign = tmp / "other.db"
    with sqlite3.connect(foreign) as conn:
        conn.execute("create table people (name text)")
    bomb = tmp / "bomb.yaml"
    bomb.write_text("a: &a [x,x,x,x,x,x,x,x,x]\n" + "".join(
        f"{c}: &{c} [{', '.join([f'*{p}'] * 9)}]\n" for p, c in zip("abcdefgh", "bcdefghi", strict=True))
        + "defaults: *i\nsources: []\n")
    bad_cron = tmp / "cron.yaml"
    bad_cron.write_text(json.dumps({"defaults": {"schedule": "99 * * * *"}, "sources": []}))
    bad_url = tmp / "url.yaml"
    bad_url.write_text(json.dumps({"sources": [{"id": "a", "kind": "nfcms", "start_urls": ["http://[::1/x"]}]}))
    page = tmp / "page.html"
    page.write_text("<html><body><p>通报</p></body></html>", encoding="utf-8")
    return {"tmp": tmp, "db": db, "config": config, "file": tmp / "afile", "foreign": foreign, "bomb": bomb,
            "bad_cron": bad_cron, "bad_url": bad_url, "page": page}


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_bad_arguments_fail_in_one_line_and_change_nothing(paths: dict[str, Path], data: st.DataObject) -> None:
    argv = data.draw(_cases(paths))
    if "--db" not in argv:
        argv = [*argv, "--db", str(paths["db"])]
    if "--config" not in argv and argv[0] not in ("parse",):
        argv = [*argv, "--config", str(paths["config"])]
    before = _fingerprint(paths["db"])
    foreign_before = _fingerprint(paths["foreign"])
    out = run_cli(*argv, timeout=30)
    lines = [line for line in out.stderr.splitlines() if line.strip()]
    assert out.returncode in (1, 2), (argv, out.returncode, out.stderr[-500:])
    assert "Traceback" not in out.stderr + out.stdout, (argv, out.stderr[-800:])
    assert len(lines) == 1 and lines[0].startswith("Error: "), (argv, out.stderr[-500:])
    assert _fingerprint(paths["db"]) == before, argv
    assert _fingerprint(paths["foreign"]) == foreign_before, argv
