"""Record what a crawl downloads into a folder, so the replica can serve it offline
(`noticewatch record SOURCE --out DIR`, then `replica.recorded.RecordedServer(DIR)`).

A downloader middleware, on only when NOTICEWATCH_RECORD_DIR is set. Each answer (list pages,
API answers, POSTed proxy answers, detail pages, robots.txt, redirects, error pages) becomes one
file under DIR/pages/, and DIR/manifest.json maps each request (method, URL, POSTed body) to its
file, status, content type, charset and Location header. A request that got no answer in the end
(a download error, its retries included) is listed under "unanswered": the recording lacks it, and
`noticewatch record` fails rather than pass off an incomplete recording.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.http import Response, TextResponse

MANIFEST = "manifest.json"


class Recorder:
    def __init__(self, folder: Path):
        self.folder = folder
        (folder / "pages").mkdir(parents=True, exist_ok=True)
        self.entries: list[dict[str, Any]] = []
        # (method, URL, body) of requests whose last attempt failed without an answer → the error.
        self.unanswered: dict[tuple[str, str, str], str] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Recorder:
        folder = crawler.settings.get("NOTICEWATCH_RECORD_DIR")
        if not folder:
            raise NotConfigured("NOTICEWATCH_RECORD_DIR is not set")
        return cls(Path(folder))

    def process_response(self, request: Request, response: Response, spider: Any = None) -> Response:
        body = _body(request)
        self.unanswered.pop((request.method, request.url, body), None)
        key = hashlib.sha1(f"{request.method} {request.url} {body}".encode()).hexdigest()[:16]
        ctype = (response.headers.get(b"Content-Type") or b"").decode("latin-1")
        ext = (
            ".json"
            if "json" in ctype
            else ".xml"
            if "xml" in ctype
            else ".html"
            if "html" in ctype
            else ".bin"
        )
        name = f"pages/{len(self.entries):04d}_{key}{ext}"
        (self.folder / name).write_bytes(response.body)
        location = (response.headers.get(b"Location") or b"").decode("latin-1") or None
        self.entries.append(
            {
                "method": request.method,
                "url": request.url,
                "body": body,
                "status": response.status,
                "content_type": ctype,
                "charset": response.encoding if isinstance(response, TextResponse) else None,
                "location": location,
                "file": name,
            }
        )
        self.write_manifest()
        return response

    def process_exception(self, request: Request, exception: Exception, spider: Any = None) -> None:
        """A download error: the request is unanswered until an attempt (a retry) gets an answer.
        Requests not sent on purpose (robots.txt, a paused domain) are no gap in the recording."""
        if not isinstance(exception, IgnoreRequest):
            self.unanswered[(request.method, request.url, _body(request))] = (
                f"{type(exception).__name__}: {exception}"
            )
            self.write_manifest()
        return None

    def write_manifest(self) -> None:
        # Written after every answer, so an interrupted recording is still usable.
        unanswered = [
            {"method": method, "url": url, "body": body, "error": error}
            for (method, url, body), error in self.unanswered.items()
        ]
        manifest = {"entries": self.entries, **({"unanswered": unanswered} if unanswered else {})}
        text = json.dumps(manifest, ensure_ascii=False, indent=1)
        (self.folder / MANIFEST).write_text(text, encoding="utf-8")


def read_manifest(folder: Path) -> dict[str, Any]:
    """A recording's manifest: its "entries" (one per recorded answer) and, if any, "unanswered"."""
    path = folder / MANIFEST
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}


def unanswered(folder: Path) -> list[dict[str, str]]:
    """The requests a recording in `folder` lacks because they got no answer (see Recorder)."""
    return list(read_manifest(folder).get("unanswered", []))


def _body(request: Request) -> str:
    return request.body.decode("utf-8", "replace") if request.method == "POST" else ""
