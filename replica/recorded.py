"""Serve a folder recorded by `noticewatch record` (crawler/recording.py) as a replica portal.

Each request is answered from the manifest by method, path and query (and the POSTed body for
Hanweb's data proxy); anything not recorded is a 404. Absolute links to the recorded portal's own
host (`https://www.ccdi.gov.cn/…`, `//www.ccdi.gov.cn/…`) are rewritten to the replica's address,
so a crawl of the recording never leaves loopback. A selector change can then be tried offline:

    with RecordedServer("fixtures/ccdi") as server:
        ...crawl server.url("/xsxcn/index.html")...
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

from replica.response import Response
from replica.server import ReplicaServer


@dataclass(frozen=True)
class RecordedPage:
    status: int
    content_type: str
    location: str | None
    file: Path


class Recording:
    def __init__(self, folder: str | Path):
        folder = Path(folder)
        manifest = folder / "manifest.json"
        if not manifest.exists():
            raise FileNotFoundError(f"{folder}: no manifest.json (record one with `noticewatch record`)")
        entries = json.loads(manifest.read_text(encoding="utf-8"))["entries"]
        self.pages: dict[tuple[str, str, str], RecordedPage] = {}
        self.origins: list[str] = []
        for entry in entries:
            parts = urlsplit(entry["url"])
            origin = f"{parts.scheme}://{parts.netloc}"
            if origin not in self.origins:
                self.origins.append(origin)
            key = _key(entry["method"], parts.path, parts.query, entry.get("body", ""))
            self.pages.setdefault(
                key,
                RecordedPage(
                    entry["status"], entry["content_type"], entry.get("location"), folder / entry["file"]
                ),
            )

    def respond(self, method: str, raw_path: str, body: bytes, base_url: str) -> Response:
        parts = urlsplit(raw_path)
        form = body.decode("utf-8", "replace") if method == "POST" else ""
        page = self.pages.get(_key(method, parts.path, parts.query, form))
        if page is None:
            return Response(404, b"<html><body>not recorded</body></html>", "text/html; charset=utf-8")
        headers = (
            (("Location", self.rewrite(page.location.encode(), base_url).decode()),) if page.location else ()
        )
        return Response(
            page.status, self.rewrite(page.file.read_bytes(), base_url), page.content_type, headers
        )

    def rewrite(self, data: bytes, base_url: str) -> bytes:
        here = urlsplit(base_url).netloc.encode()
        for origin in self.origins:
            host = urlsplit(origin).netloc.encode()
            for scheme in (b"https://", b"http://"):
                data = data.replace(scheme + host, base_url.encode())
            data = data.replace(b"//" + host, b"//" + here)
        return data


def _key(method: str, path: str, query: str, form: str) -> tuple[str, str, str]:
    # Form fields in a stable order: a re-crawl may encode them differently.
    fields = "&".join(f"{k}={v}" for k, v in sorted(parse_qsl(form, keep_blank_values=True)))
    return method.upper(), f"{path}?{query}" if query else path, fields


class RecordedServer(ReplicaServer):
    """A ReplicaServer answering from a recorded folder instead of generated sites."""

    def __init__(self, folder: str | Path, host: str = "127.0.0.1", port: int = 0) -> None:
        super().__init__([], host=host, port=port, site_name="recorded")
        self.recording = Recording(folder)

    def _render(self, raw_path: str, host: str | None, method: str = "GET", body: bytes = b"") -> Response:
        base_url = f"http://{host}" if host else self.base_url
        return self.recording.respond(method, raw_path, body, base_url)
