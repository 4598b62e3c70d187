"""Record what a crawl downloads into a folder, so the replica can serve it offline
(`noticewatch record SOURCE --out DIR`, then `replica.recorded.RecordedServer(DIR)`).

A downloader middleware, on only when NOTICEWATCH_RECORD_DIR is set. Each answer (list pages,
API answers, POSTed proxy answers, detail pages, robots.txt, redirects, error pages) becomes one
file under DIR/pages/, and DIR/manifest.json maps each request (method, URL, POSTed body) to its
file, status, content type, charset and Location header.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import Response, TextResponse

MANIFEST = "manifest.json"


class Recorder:
    def __init__(self, folder: Path):
        self.folder = folder
        (folder / "pages").mkdir(parents=True, exist_ok=True)
        self.entries: list[dict[str, Any]] = []

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Recorder:
        folder = crawler.settings.get("NOTICEWATCH_RECORD_DIR")
        if not folder:
            raise NotConfigured("NOTICEWATCH_RECORD_DIR is not set")
        return cls(Path(folder))

    def process_response(self, request: Request, response: Response, spider: Any = None) -> Response:
        body = request.body.decode("utf-8", "replace") if request.method == "POST" else ""
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
        # Written after every answer, so an interrupted recording is still usable.
        manifest = json.dumps({"entries": self.entries}, ensure_ascii=False, indent=1)
        (self.folder / MANIFEST).write_text(manifest, encoding="utf-8")
        return response
