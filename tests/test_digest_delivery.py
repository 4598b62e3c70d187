"""Delivery for real, on loopback: an aiosmtpd SMTP server and a stdlib HTTP receiver, both on port 0.

Also the bookkeeping: nothing is sent twice, a failed delivery is retried next time."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from email import message_from_bytes, policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import feedparser
import pytest
import yaml
from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword

from monitor.config.digest import DigestConfig, EmailTarget, FileTarget, WebhookTarget
from monitor.digest.run import send_digests, watermark
from monitor.store.db import Store
from monitor.store.locks import digest_lock
from tests.digest_scenario import NOW, build_store, item, notice
from tests.helpers import ROOT, cli_env

ENV = {"NW_SMTP_USER": "desk", "NW_SMTP_PASS": "s3cret", "NW_HOOK_TOKEN": "Bearer t0ken"}


# -- a real SMTP server ----------------------------------------------------------------------------
class Inbox:
    def __init__(self) -> None:
        self.messages: list[tuple[str, list[str], bytes]] = []
        self.logins: list[tuple[bytes, bytes]] = []

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: ANN001 - aiosmtpd's hook
        self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content))
        return "250 OK"

    def __call__(self, server, session, envelope, mechanism, auth_data) -> AuthResult:  # noqa: ANN001
        if isinstance(auth_data, LoginPassword):
            self.logins.append((auth_data.login, auth_data.password))
            return AuthResult(success=auth_data.login == b"desk" and auth_data.password == b"s3cret")
        return AuthResult(success=False)


@pytest.fixture
def smtp_server() -> Iterator[tuple[Inbox, int]]:
    inbox = Inbox()
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()

    def factory() -> SMTP:
        return SMTP(inbox, hostname="localhost", authenticator=inbox, auth_require_tls=False, loop=loop)

    server = asyncio.run_coroutine_threadsafe(loop.create_server(factory, "127.0.0.1", 0), loop).result(5)
    try:
        yield inbox, server.sockets[0].getsockname()[1]
    finally:
        server.close()
        asyncio.run_coroutine_threadsafe(server.wait_closed(), loop).result(5)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(5)
        loop.close()


# -- a real HTTP receiver --------------------------------------------------------------------------
class Receiver(ThreadingHTTPServer):
    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), ReceiverHandler)
        self.requests: list[tuple[dict[str, str], bytes]] = []
        self.replies: list[int] = []  # statuses to answer, in order; then 200
        self.delay = 0.0  # seconds each answer waits (a slow receiver)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/hook"


class ReceiverHandler(BaseHTTPRequestHandler):
    server: Receiver

    def do_POST(self) -> None:  # noqa: N802 - http.server's name
        body = self.rfile.read(int(self.headers.get("content-length", 0)))
        self.server.requests.append(({k.lower(): v for k, v in self.headers.items()}, body))
        time.sleep(self.server.delay)
        status = self.server.replies.pop(0) if self.server.replies else 200
        self.send_response(status)
        self.send_header("content-length", "0")
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    server = Receiver()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with build_store(tmp_path / "s.db") as s:
        yield s


def hook(url: str, **kw: object) -> WebhookTarget:
    return WebhookTarget(id="newsroom-hook", url=url, timeout=5, retries=2, retry_delay=0,
                         headers_env={"Authorization": "NW_HOOK_TOKEN"}, **kw)  # type: ignore[arg-type]


def add_event(store: Store, n: int) -> None:
    store.save_item(item(notice(f"中共珠海市第{n}个单位关于巡察整改进展情况的通报", f"https://www.zhuhai.gov.cn/p_{n}.html",
                                "zhuhai_xc", published_at="2024-10-08"), "2024-10-08T01:50:00+00:00"))


# -- e-mail ----------------------------------------------------------------------------------------
def test_email_html_with_plain_text_alternative(store: Store, smtp_server: tuple[Inbox, int]) -> None:
    inbox, port = smtp_server
    target = EmailTarget(id="team-mail", to=("desk@example.org", "editor@example.org"), sender="nw@example.org",
                         smtp_host="127.0.0.1", smtp_port=port, starttls=False, username_env="NW_SMTP_USER",
                         password_env="NW_SMTP_PASS", timeout=5)
    [outcome] = send_digests(store, DigestConfig(targets=(target,)), NOW, env=ENV)
    assert outcome.status == "delivered", outcome.detail
    assert inbox.logins == [(b"desk", b"s3cret")]
    [(sender, rcpts, raw)] = inbox.messages
    assert sender == "nw@example.org" and rcpts == ["desk@example.org", "editor@example.org"]
    message = message_from_bytes(raw, policy=policy.default)
    assert message.get_content_type() == "multipart/alternative"
    assert message["Subject"].startswith("[noticewatch] 1 withdrawn while open · 3 new · 1 changed")
    plain = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert "## ⚠ Withdrawn while open for comment (1)" in plain
    assert "<!DOCTYPE html>" in html and "中共广东省委横琴粤澳深度合作区" in html
    # sent once: the next run has nothing new for this target
    assert send_digests(store, DigestConfig(targets=(target,)), NOW, env=ENV)[0].status == "skipped"
    assert len(inbox.messages) == 1


def test_email_missing_credentials_is_recorded_and_retried(store: Store, smtp_server: tuple[Inbox, int]) -> None:
    inbox, port = smtp_server
    target = EmailTarget(id="team-mail", to=("desk@example.org",), sender="nw@example.org", smtp_host="127.0.0.1",
                         smtp_port=port, starttls=False, username_env="NW_SMTP_USER", password_env="NW_SMTP_PASS")
    [failed] = send_digests(store, DigestConfig(targets=(target,)), NOW, env={})
    assert failed.status == "failed"
    assert "environment variable NW_SMTP_USER is not set" in failed.detail
    row = next(store.rows("select * from digests order by id desc limit 1"))
    assert row["status"] == "failed" and row["error"] == failed.detail and row["delivered_at"] is None
    [ok] = send_digests(store, DigestConfig(targets=(target,)), NOW, env=ENV)
    assert ok.status == "delivered" and ok.events == failed.events == 8
    assert len(inbox.messages) == 1


# -- webhook ---------------------------------------------------------------------------------------
def test_webhook_posts_json_with_secret_header(store: Store, receiver: Receiver) -> None:
    [outcome] = send_digests(store, DigestConfig(targets=(hook(receiver.url),)), NOW, env=ENV)
    assert outcome.status == "delivered", outcome.detail
    [(headers, body)] = receiver.requests
    assert headers["authorization"] == "Bearer t0ken"
    assert headers["content-type"] == "application/json; charset=utf-8"
    data = json.loads(body)
    assert data["schema"] == "noticewatch.digest/1"
    assert data["events"] == {"first_id": 6, "last_id": 13, "count": 8}
    assert headers["x-noticewatch-digest"] == next(store.rows("select payload_sha256 from digests"))["payload_sha256"]


def test_webhook_retries_server_errors_then_succeeds(store: Store, receiver: Receiver) -> None:
    receiver.replies = [503, 502]
    [outcome] = send_digests(store, DigestConfig(targets=(hook(receiver.url),)), NOW, env=ENV)
    assert outcome.status == "delivered"
    assert len(receiver.requests) == 3


def test_never_twice_and_retry_after_failure(store: Store, receiver: Receiver) -> None:
    config = DigestConfig(targets=(hook(receiver.url),))
    receiver.replies = [500, 500, 500]  # all three tries fail
    [failed] = send_digests(store, config, NOW, env=ENV)
    assert failed.status == "failed" and "after 3 tries: HTTP 500" in failed.detail
    assert watermark(store, "newsroom-hook") == 0
    # next run: the same events again, delivered
    [ok] = send_digests(store, config, NOW, env=ENV)
    assert (ok.status, ok.first_event_id, ok.last_event_id) == ("delivered", 6, 13)
    # nothing new: nothing sent
    assert send_digests(store, config, NOW, env=ENV)[0].status == "skipped"
    assert len(receiver.requests) == 4
    # one new event: only it is sent
    add_event(store, 1)
    [again] = send_digests(store, config, NOW, env=ENV)
    assert (again.status, again.events, again.first_event_id) == ("delivered", 1, 14)
    assert json.loads(receiver.requests[-1][1])["counts"]["new"] == 1
    statuses = [r["status"] for r in store.rows("select status from digests order by id")]
    assert statuses == ["failed", "delivered", "delivered"]


def test_webhook_client_error_is_not_retried(store: Store, receiver: Receiver) -> None:
    receiver.replies = [404]
    [outcome] = send_digests(store, DigestConfig(targets=(hook(receiver.url),)), NOW, env=ENV)
    assert outcome.status == "failed" and "after 1 try: HTTP 404" in outcome.detail
    assert len(receiver.requests) == 1


def test_webhook_unreachable_is_a_recorded_failure(store: Store) -> None:
    import socket

    with socket.socket() as s:  # a loopback port nobody listens on
        s.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{s.getsockname()[1]}/hook"
    [outcome] = send_digests(store, DigestConfig(targets=(hook(url),)), NOW, env=ENV)
    assert outcome.status == "failed" and "ConnectError" in outcome.detail


def test_targets_have_independent_watermarks(store: Store, receiver: Receiver, tmp_path: Path) -> None:
    archive = FileTarget(id="archive", path=tmp_path / "out", format="md", folder=True)
    config = DigestConfig(targets=(hook(receiver.url), archive))
    receiver.replies = [500, 500, 500]
    outcomes = {o.target: o.status for o in send_digests(store, config, NOW, env=ENV)}
    assert outcomes == {"newsroom-hook": "failed", "archive": "delivered"}
    outcomes = {o.target: o.status for o in send_digests(store, config, NOW, env=ENV)}
    assert outcomes == {"newsroom-hook": "delivered", "archive": "skipped"}
    assert len(list((tmp_path / "out").glob("digest-*.md"))) == 1


# -- files -----------------------------------------------------------------------------------------
def test_file_folder_gets_one_file_per_digest(store: Store, tmp_path: Path) -> None:
    target = FileTarget(id="archive", path=tmp_path / "digests", format="html", folder=True)
    config = DigestConfig(targets=(target,))
    assert send_digests(store, config, NOW)[0].status == "delivered"
    add_event(store, 2)
    assert send_digests(store, config, NOW.replace(hour=3))[0].status == "delivered"
    files = sorted(p.name for p in (tmp_path / "digests").iterdir())
    assert files == ["digest-20241008T020000Z-e13.html", "digest-20241008T030000Z-e14.html"]


def test_atom_file_keeps_the_latest_entries(store: Store, tmp_path: Path) -> None:
    target = FileTarget(id="feed", path=tmp_path / "feed.atom", format="atom", feed_entries=5)
    config = DigestConfig(targets=(target,))
    assert send_digests(store, config, NOW)[0].status == "delivered"
    first = feedparser.parse((tmp_path / "feed.atom").read_text(encoding="utf-8"))
    assert not first.bozo and len(first.entries) == 5
    assert send_digests(store, config, NOW)[0].status == "skipped"
    add_event(store, 3)
    assert send_digests(store, config, NOW)[0].events == 1
    second = feedparser.parse((tmp_path / "feed.atom").read_text(encoding="utf-8"))
    assert len(second.entries) == 5
    # the four entries both feeds share keep their ids: readers do not show them twice
    assert [e.id for e in second.entries][1:] == [e.id for e in first.entries][:4]


def test_state_only_digest_is_sent_once(store: Store, receiver: Receiver) -> None:
    """No new events, but windows closing soon and source problems: sent once, not on every run."""
    config = DigestConfig(targets=(hook(receiver.url),))
    send_digests(store, config, NOW, env=ENV)
    later = NOW.replace(day=9)  # a day later: the closing window is now 1 day away — new state
    assert send_digests(store, config, later, env=ENV)[0].status == "delivered"
    assert json.loads(receiver.requests[-1][1])["events"]["count"] == 0
    assert send_digests(store, config, later, env=ENV)[0].status == "skipped"




# -- two senders at once ---------------------------------------------------------------------------
# A sender process: imports the CLI, says it is ready, waits for the go file, runs `noticewatch …`.
SENDER = """
import pathlib, sys, time
from monitor.cli.main import main
ready, go = map(pathlib.Path, sys.argv[1:3])
ready.touch()
while not go.exists():
    time.sleep(0.002)
sys.argv = ["noticewatch", *sys.argv[3:]]
main()
"""


def test_two_senders_at_once_deliver_once(tmp_path: Path, receiver: Receiver) -> None:
    """Two `digest --send` (or the daemon's digest job and one) started at the same moment: the
    target's digest lock makes the second wait for the first, then find nothing new."""
    db = tmp_path / "s.db"
    build_store(db).close()
    config = tmp_path / "config.yaml"
    target = {"id": "newsroom-hook", "type": "webhook", "url": receiver.url, "timeout": 10, "retries": 0}
    config.write_text(yaml.safe_dump({"sources": [], "digest": {"targets": [target]}}), encoding="utf-8")
    receiver.delay = 1.0  # the first POST is slow: without the lock the other sender would post too
    go = tmp_path / "go"
    args = ["digest", "--send", "--config", config, "--db", db, "--now", NOW.isoformat()]
    senders = [
        subprocess.Popen([sys.executable, "-c", SENDER, tmp_path / f"ready-{n}", go, *args], cwd=ROOT,
                         env=cli_env(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        for n in range(2)
    ]
    deadline = time.monotonic() + 60
    while not all((tmp_path / f"ready-{n}").exists() for n in range(2)) and time.monotonic() < deadline:
        time.sleep(0.01)
    go.touch()
    outputs = sorted(" ".join(sender.communicate(timeout=120)[0].split()) for sender in senders)
    assert [sender.returncode for sender in senders] == [0, 0], outputs
    assert len(receiver.requests) == 1
    assert outputs[0].startswith("newsroom-hook: delivered, 8 events (events #6–#13)"), outputs
    assert outputs[1] == "newsroom-hook: nothing new"
    with Store(db) as store:
        assert [r["status"] for r in store.rows("select status from digests")] == ["delivered"]


def test_a_held_target_is_busy_after_the_wait_and_sent_next_time(store: Store, receiver: Receiver) -> None:
    config = DigestConfig(targets=(hook(receiver.url),))
    with digest_lock(store.path, "newsroom-hook"):  # another sender, stuck
        [busy] = send_digests(store, config, NOW, env=ENV, lock_wait=0.3)
    assert busy.status == "busy"
    assert busy.line() == (f"{store.path}: a digest for target 'newsroom-hook' is being delivered by pid "
                           f"{os.getpid()} (waited 0 s); let it finish and try again")
    assert receiver.requests == [] and list(store.rows("select * from digests")) == []
    [ok] = send_digests(store, config, NOW, env=ENV)
    assert (ok.status, ok.first_event_id, ok.last_event_id) == ("delivered", 6, 13)
