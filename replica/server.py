"""The replica as a real HTTP server on loopback: stdlib ThreadingHTTPServer in a background thread.

    with ReplicaServer(build_demo_sites()) as server:
        urlopen(server.url("/xunshizgls/index.html"))
        assert "/private/index.html" not in server.paths()

Bind port 0 (the default) and read `base_url`, as Scrapy's own mock server does.
"""

from __future__ import annotations

import contextlib
import socket
import struct
import threading
import time
from collections.abc import Mapping, Sequence
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import NamedTuple
from urllib.parse import urlsplit

from replica.faults import LOGIN_PATH, RESET_AT, Fault, find_fault
from replica.model import Site
from replica.portal import Portal, Response
from replica.validators import not_modified, not_modified_response


class RequestRecord(NamedTuple):
    method: str
    path: str  # as requested, query string included
    user_agent: str


class ReplicaServer:
    """Serves `sites` on host:port; a context manager that starts and stops a background thread."""

    def __init__(
        self,
        sites: Sequence[Site],
        host: str = "127.0.0.1",
        port: int = 0,
        site_name: str | None = None,
    ) -> None:
        self.portal = Portal(sites, site_name)
        self.faults: dict[str, Fault] = {}
        # Seconds a connection stays open after its answer before the server closes it (it closes
        # every one: HTTP/1.0). A client that reuses it meanwhile (keep-alive) has its request
        # dropped unread, as when a real server closes an idle connection just as it is reused.
        self.close_delay = 0.0
        self._host = host
        self._port = port
        self._lock = threading.Lock()
        self._requests: list[RequestRecord] = []
        self.bodies: list[bytes] = []  # request bodies, parallel to `requests`
        self._fault_hits: dict[str, tuple[Fault, int]] = {}
        self._local = threading.local()
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def sites(self) -> list[Site]:
        """The live site list: edit a site's notices between crawls to stage changes."""
        return self.portal.sites

    def site(self, site_id: str) -> Site:
        for s in self.portal.sites:
            if s.id == site_id:
                return s
        valid = ", ".join(s.id for s in self.portal.sites)
        raise KeyError(f"replica: no site {site_id!r} (valid: {valid})")

    # -- lifecycle ---------------------------------------------------------------------------

    def bind(self) -> None:
        """Open the listening socket (idempotent); `base_url` is known from here on."""
        if self._httpd is None:
            self._httpd = ThreadingHTTPServer((self._host, self._port), self._handler_class())
            self._httpd.daemon_threads = True

    def start(self) -> ReplicaServer:
        """Bind and serve in a daemon thread; returns self."""
        self.bind()
        if self._thread is None:
            assert self._httpd is not None
            # A short poll interval: stop() waits up to one interval for the loop to notice.
            self._thread = threading.Thread(
                target=self._httpd.serve_forever,
                kwargs={"poll_interval": 0.05},
                name=f"replica{self.base_url}",
                daemon=True,
            )
            self._thread.start()
        return self

    def serve_forever(self) -> None:
        """Serve in the calling thread until interrupted (for the CLI)."""
        self.bind()
        assert self._httpd is not None
        try:
            self._httpd.serve_forever()
        finally:
            self._httpd.server_close()
            self._httpd = None

    def stop(self) -> None:
        if self._httpd is not None and self._thread is not None:
            self._httpd.shutdown()
            self._thread.join(timeout=5)
        if self._httpd is not None:
            self._httpd.server_close()
        self._httpd = None
        self._thread = None

    def __enter__(self) -> ReplicaServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- addresses ---------------------------------------------------------------------------

    @property
    def port(self) -> int:
        if self._httpd is None:
            raise RuntimeError("replica: server not bound yet; call start() or bind() first")
        return self._httpd.server_address[1]

    @property
    def base_url(self) -> str:
        return f"http://{self._host}:{self.port}"

    def url(self, path: str = "/") -> str:
        return self.base_url + (path if path.startswith("/") else "/" + path)

    # -- request log -------------------------------------------------------------------------

    @property
    def requests(self) -> list[RequestRecord]:
        """A snapshot of every request so far: (method, path, user_agent)."""
        with self._lock:
            return list(self._requests)

    def paths(self) -> list[str]:
        return [r.path for r in self.requests]

    def clear_requests(self) -> None:
        with self._lock:
            self._requests.clear()
            self.bodies.clear()

    # -- request handling ---------------------------------------------------------------------

    def respond(
        self,
        method: str,
        raw_path: str,
        user_agent: str,
        host: str | None,
        headers: Mapping[str, str] | None = None,
        body: bytes = b"",
    ) -> Response:
        """Log the request, apply any fault, render the page; 304 when the client's copy is current.
        `body` is a POSTed form (Hanweb's dataproxy.jsp). The fault applied (if any) is
        `applied_fault()` in the same thread: its `wire` says how the handler sends the answer."""
        with self._lock:
            self._requests.append(RequestRecord(method, raw_path, user_agent))
            self.bodies.append(body)
        self._local.fault = None
        response = self._render(raw_path, host, method, body)
        fault = self.applied_fault()
        # A socket fault (a reset, a drip) is about sending a body: the server sends it in full.
        conditional = fault is None or fault.wire is None
        if conditional and method in ("GET", "HEAD") and headers is not None and not_modified(headers, response):
            return not_modified_response(response)
        return response

    def applied_fault(self) -> Fault | None:
        """The fault `respond` last applied in this thread (None: the page was served normally)."""
        return getattr(self._local, "fault", None)

    def _render(self, raw_path: str, host: str | None, method: str = "GET", body: bytes = b"") -> Response:
        parts = urlsplit(raw_path)
        path = parts.path or "/"
        base_url = f"http://{host}" if host else self.base_url
        found = find_fault(self.faults, path)
        if found is not None:
            key, fault = found
            with self._lock:
                # Counted per fault: a new fault at a key starts again from its first request.
                seen, hits = self._fault_hits.get(key, (None, 0))
                hits = hits if seen is fault else 0
                self._fault_hits[key] = (fault, hits + 1)
            if fault.times is None or hits < fault.times:
                if fault.delay:
                    time.sleep(fault.delay)
                render = lambda: self.portal.respond(path, base_url, method, parts.query, body)  # noqa: E731
                self._local.fault = fault
                return fault.apply(render, self.portal.error, path, base_url)
        if path == LOGIN_PATH:
            return login_page()
        return self.portal.respond(path, base_url, method, parts.query, body)

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            server_version = "nginx"  # what the real portals announce
            sys_version = ""

            def do_GET(self) -> None:
                self._answer(with_body=True)

            def do_HEAD(self) -> None:
                self._answer(with_body=False)

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                self._answer(with_body=True, body=self.rfile.read(length) if length else b"")

            def _answer(self, with_body: bool, body: bytes = b"") -> None:
                extra = {"body": body} if body else {}
                response = server.respond(
                    self.command,
                    self.path,
                    self.headers.get("User-Agent", ""),
                    self.headers.get("Host"),
                    self.headers,
                    **extra,
                )
                fault = server.applied_fault()
                wire = fault.wire if fault is not None else None
                if wire == "close":  # not a byte of answer
                    self.close_connection = True
                    return
                # The client may have given up already (timeouts in fault tests): fine.
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    self.send_response(response.status)
                    if response.status != 304:  # a 304 has no body to describe
                        self.send_header("Content-Type", response.content_type)
                        self.send_header("Content-Length", str(len(response.body)))
                    for name, value in response.headers:
                        self.send_header(name, value)
                    self.end_headers()
                    if not with_body:
                        return
                    if wire == "reset":
                        self.wfile.write(response.body[: int(len(response.body) * RESET_AT)])
                        self.wfile.flush()
                        reset(self.connection)
                        self.close_connection = True
                    elif wire == "drip":
                        assert fault is not None
                        drip(self.wfile, response.body, fault.drip_seconds)
                    else:
                        self.wfile.write(response.body)

            def finish(self) -> None:
                super().finish()  # the answer is flushed; the connection is closed after this
                if server.close_delay and self.close_connection:
                    time.sleep(server.close_delay)

            def log_message(self, format: str, *args: object) -> None:
                # Quiet: one stderr line per request would drown test output; see `requests`.
                return

        return Handler


def reset(connection: socket.socket) -> None:
    """Abort the connection with a TCP RST (SO_LINGER 0), as a crashing proxy does."""
    connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    connection.close()


def drip(wfile: object, body: bytes, seconds: float, chunks: int = 20) -> None:
    """Send `body` in `chunks` pieces spread over `seconds` (a congested link)."""
    size = max(1, -(-len(body) // chunks))
    pause = seconds / chunks
    for start in range(0, len(body), size):
        wfile.write(body[start : start + size])  # type: ignore[attr-defined]
        wfile.flush()  # type: ignore[attr-defined]
        time.sleep(pause)


def login_page() -> Response:
    """The single-sign-on login form the "login_redirect" fault sends clients to."""
    body = (
        '<!DOCTYPE html>\n<html lang="zh-CN">\n<head>\n<meta charset="utf-8">\n<title>统一身份认证</title>\n'
        "</head>\n<body>\n<form method=\"post\" action=\"" + LOGIN_PATH + "\">\n"
        '<p>用户名 <input name="username"></p>\n<p>密码 <input type="password" name="password"></p>\n'
        "<button>登录</button>\n</form>\n</body>\n</html>\n"
    )
    return Response(200, body.encode("utf-8"))
