"""`noticewatch serve` as a user runs it: a child process on loopback, stopped by SIGINT or SIGTERM."""

from __future__ import annotations

import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from monitor.window import china_today
from tests.helpers import ROOT, cli_env, run_cli
from tests.reader_scenario import build_reader_store


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("serve") / "store.db"
    build_reader_store(path, china_today())
    return path


def start(store: Path) -> tuple[subprocess.Popen[str], str]:
    proc = subprocess.Popen([sys.executable, "-m", "monitor", "serve", "--db", str(store), "--port", "0"],
                            cwd=ROOT, env=cli_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert proc.stderr is not None
    line = proc.stderr.readline()  # "noticewatch reader on http://127.0.0.1:PORT/ …"
    match = re.search(r"http://127\.0\.0\.1:\d+/", line)
    if match is None:
        proc.kill()
        raise AssertionError(f"no URL in {line!r}: {proc.communicate(timeout=10)}")
    return proc, match[0]


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_serve_answers_and_stops_cleanly_on_a_signal(store: Path, sig: signal.Signals) -> None:
    proc, url = start(store)
    try:
        front = httpx.get(url, timeout=10)
        assert front.status_code == 200 and 'id="open-now"' in front.text
        assert front.text.count("<tr data-notice=") == 4  # today's open windows (China's date)
        started = time.monotonic()
        proc.send_signal(sig)
        _, err = proc.communicate(timeout=15)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 128 + sig.value, err
    assert time.monotonic() - started < 10
    assert f"reader stopped ({sig.name})" in err and "Traceback" not in err


def test_serve_refuses_what_it_cannot_serve(tmp_path: Path, store: Path) -> None:
    missing = run_cli("serve", "--db", tmp_path / "none.db")
    assert missing.returncode == 1 and "no such database" in missing.stderr
    public = run_cli("serve", "--db", store, "--host", "0.0.0.0")
    assert public.returncode == 1 and "not a loopback address" in public.stderr
