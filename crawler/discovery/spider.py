"""The discovery crawl: from a start page, follow the site's navigation one request at a time,
most promising links first (巡视/巡察/整改, then 纪检/监督, then 通知公告/信息公开, then news), at most
`max_requests` requests, two links deep; read each page (crawler/discovery/page.py) and, where the
list is elsewhere, make the one request that shows it (an NFCMS column JSON, a gkmlpt category's
API page, a Hanweb data-proxy POST).

It runs with the crawler's own settings: robots.txt obeyed (crawler.robots), one request at a time
per registered domain with its delay (crawler.politeness), the failure pause. robots.txt fetches
are the middleware's and not counted in `max_requests`.
"""

from __future__ import annotations

import heapq
import json
from collections.abc import AsyncIterator, Iterable
from dataclasses import replace
from typing import Any
from urllib.parse import urlencode, urlsplit

import scrapy
from scrapy.http import Response

from crawler import catalogue, postmeta
from crawler.challenge import detect_challenge
from crawler.discovery.page import Link, PageReading, read_page
from crawler.discovery.proposal import ColumnFinding, Discovery, propose
from crawler.kinds import gkmlpt, hanweb
from crawler.politeness import registered_domain

MAX_DEPTH = 2
MAX_CATEGORIES = 3  # gkmlpt categories read per catalogue
_HOME = ("", "/", "/index.html", "/index.htm", "/index.shtml")


def page_key(url: str) -> str:
    """A page's identity: `…/col/` and `…/col/index.html` are one page."""
    for name in ("index.html", "index.htm", "index.shtml"):
        if url.endswith("/" + name):
            return url[: -len(name)]
    return url


class DiscoverySpider(scrapy.Spider):
    name = "discover"

    def __init__(self, start_url: str, max_requests: int | str = 30, max_pages: int = 3, **kwargs: Any):
        super().__init__(**kwargs)
        self.start_url = start_url
        self.max_requests = int(max_requests)
        self.max_pages = max_pages
        self.allowed_domains = [registered_domain(start_url)]
        self.used = 0
        self._order = 0
        self._frontier: list[tuple[int, int, int, str, dict[str, Any]]] = []
        self._queued: set[str] = set()
        self.findings: list[ColumnFinding] = []
        self.families: dict[str, int] = {}
        self.problems: list[str] = []

    # -- the frontier: one request at a time, the most promising first --------------------------
    def push(self, priority: int, depth: int, what: str, **payload: Any) -> None:
        key = payload.get("key") or payload["url"]
        if key in self._queued:
            return
        self._queued.add(key)
        self._order += 1
        heapq.heappush(self._frontier, (priority, depth, self._order, what, payload))

    def next_request(self) -> Iterable[scrapy.Request]:
        while self._frontier and self.used < self.max_requests:
            _, depth, _, what, payload = heapq.heappop(self._frontier)
            self.used += 1
            yield getattr(self, f"{what}_request")(depth=depth, **payload)
            return

    async def start(self) -> AsyncIterator[scrapy.Request]:
        self.push(0, 0, "page", url=self.start_url, key=page_key(self.start_url), via="")
        for request in self.next_request():
            yield request

    def report_problem(self, kind: str, url: str, message: str) -> None:
        """What crawler.politeness reports on a spider (a paused domain)."""
        self.problems.append(f"{kind}: {message} ({url})")

    def _request(self, url: str, callback: Any, depth: int, **kwargs: Any) -> scrapy.Request:
        return scrapy.Request(
            url,
            callback=callback,
            errback=self.failed,
            cb_kwargs={"depth": depth, **kwargs},
            meta={"handle_httpstatus_all": True, "discover": {"depth": depth, **kwargs}},
            dont_filter=True,
        )

    # -- pages ---------------------------------------------------------------------------------
    def page_request(self, url: str, key: str, via: str, depth: int) -> scrapy.Request:
        return self._request(url, self.parse_page, depth, via=via)

    def parse_page(self, response: Response, depth: int, via: str) -> Iterable[scrapy.Request]:
        text = response.text if isinstance(response, scrapy.http.TextResponse) else ""
        status = self.trouble(response, text)
        if status is not None:
            if depth > 0:
                self.findings.append(ColumnFinding(response.url, status[0], evidence=status[1], via=via))
            else:
                self.problems.append(f"start page: {status[1]} ({response.url})")
        else:
            self.read(response.url, read_page(response.url, text), depth, via)
        yield from self.next_request()

    def trouble(self, response: Response, text: str) -> tuple[str, str] | None:
        challenge = detect_challenge(response.status, response.url, text)
        if challenge:
            return "blocked", challenge
        if response.status in (404, 410):
            return "dead", f"HTTP {response.status}"
        if response.status != 200:
            return "failed", f"HTTP {response.status}"
        return None

    def read(self, url: str, page: PageReading, depth: int, via: str) -> None:
        if page.kind:
            self.families[page.kind] = self.families.get(page.kind, 0) + 1
        is_home = depth == 0 and urlsplit(url).path in _HOME
        if page.kind == "gkmlpt" and page.index is not None:
            self.read_catalogue(url, page, via)
        elif page.kind and not is_home:
            finding = ColumnFinding(
                url,
                "list",
                page.kind,
                page.entries,
                page.evidence,
                page.name or via,
                page.site_name,
                page.column_id,
                via=via,
                selectors=page.html_list[0] if page.html_list else None,
                detail_pattern=page.html_list[1] if page.html_list else None,
            )
            if page.kind == "nfcms" and page.column_id:
                self.push(
                    -1,
                    depth,
                    "column_json",
                    url=postmeta.column_json_url(url, page.column_id),
                    finding=finding,
                )
            elif (
                page.kind == "hanweb"
                and not page.entries
                and page.hanweb_form
                and "unitid" in page.hanweb_form[1]
            ):
                self.push(
                    -1, depth, "hanweb", url=page.hanweb_form[0], form=page.hanweb_form[1], finding=finding
                )
            else:
                self.findings.append(finding)
        elif depth > 0 and not page.kind:
            self.findings.append(
                ColumnFinding(url, "no_list", evidence=page.evidence, name=page.name, via=via)
            )
        if depth < MAX_DEPTH:
            for link in page.links:
                self.follow(link, depth + 1)

    def follow(self, link: Link, depth: int) -> None:
        self.push(link.priority, depth, "page", url=link.url, key=page_key(link.url), via=link.text)

    # -- an NFCMS column's JSON ----------------------------------------------------------------
    def column_json_request(self, url: str, finding: ColumnFinding, depth: int) -> scrapy.Request:
        return self._request(url, self.parse_column_json, depth, finding=finding)

    def parse_column_json(self, response: Response, depth: int, finding: ColumnFinding) -> Iterable[Any]:
        try:
            listing = postmeta.read_column(response.body, response.url) if response.status == 200 else None
        except postmeta.PostmetaError:
            listing = None
        if listing is None:  # the HTML list stands, without the id
            self.findings.append(replace(finding, column_id=None))
        else:
            entries = tuple((e.url, e.title, e.date) for e in listing.entries)
            evidence = f"{finding.evidence}; column JSON /postmeta/i/{finding.column_id}.json: {len(entries)} entries"
            self.findings.append(replace(finding, entries=entries, evidence=evidence))
        yield from self.next_request()

    # -- a gkmlpt catalogue --------------------------------------------------------------------
    def read_catalogue(self, url: str, page: PageReading, via: str) -> None:
        index = page.index
        assert index is not None
        if not index.sid:
            self.findings.append(ColumnFinding(url, "no_list", evidence="gkmlpt index without SID", via=via))
            return
        wanted, _ = catalogue.choose(index, ["通知公告"])
        chosen = list(dict.fromkeys([*catalogue.inspection_categories(index), *wanted]))[:MAX_CATEGORIES]
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        for cat in chosen:
            evidence = f"{page.evidence}; category {cat.name} (id {cat.id}, {cat.post_count} posts)"
            finding = ColumnFinding(
                url,
                "list",
                "gkmlpt",
                (),
                evidence,
                cat.name,
                page.site_name or page.name,
                cat.id,
                cat.name,
                via,
            )
            self.push(
                -1, 1, "catalogue_api", url=gkmlpt.api_url(origin, cat.id, index.sid, 1), finding=finding
            )
        if not chosen:
            self.findings.append(
                ColumnFinding(url, "no_list", evidence=f"{page.evidence}; no 巡视/巡察 category", via=via)
            )

    def catalogue_api_request(self, url: str, finding: ColumnFinding, depth: int) -> scrapy.Request:
        return self._request(url, self.parse_catalogue_api, depth, finding=finding)

    def parse_catalogue_api(self, response: Response, depth: int, finding: ColumnFinding) -> Iterable[Any]:
        try:
            articles = json.loads(response.body.decode("utf-8-sig"))["articles"]
            spider = gkmlpt.GkmlptSpider.__new__(gkmlpt.GkmlptSpider)
            rows = [r[:3] for r in (spider.article_row(response.url, a) for a in articles) if r]
            self.findings.append(replace(finding, entries=tuple(rows)))
        except (ValueError, KeyError, TypeError):
            self.findings.append(
                ColumnFinding(
                    **{
                        **finding.__dict__,
                        "status": "failed",
                        "evidence": "the catalogue API did not answer its JSON",
                    }
                )
            )
        yield from self.next_request()

    # -- a Hanweb column's data proxy ----------------------------------------------------------
    def hanweb_request(
        self, url: str, form: dict[str, str], finding: ColumnFinding, depth: int
    ) -> scrapy.Request:
        query = urlencode({"startrecord": 1, "endrecord": 45, "perpage": 15})
        return scrapy.FormRequest(
            f"{url}?{query}",
            formdata=form,
            callback=self.parse_hanweb,
            errback=self.failed,
            cb_kwargs={"depth": depth, "finding": finding},
            meta={
                "handle_httpstatus_all": True,
                "idempotent": True,
                "discover": {"depth": depth, "finding": finding},
            },
            headers={"X-Requested-With": "XMLHttpRequest"},
            dont_filter=True,
        )

    def parse_hanweb(self, response: Response, depth: int, finding: ColumnFinding) -> Iterable[Any]:
        text = response.text if isinstance(response, scrapy.http.TextResponse) else ""
        spider = hanweb.HanwebSpider.__new__(hanweb.HanwebSpider)
        rows = [
            row for record in hanweb.RECORD.findall(text) for row in spider.record_rows(record, response.url)
        ]
        self.findings.append(replace(finding, entries=tuple(rows)))
        yield from self.next_request()

    # -- failures --------------------------------------------------------------------------------
    def failed(self, failure: Any) -> Iterable[scrapy.Request]:
        request = failure.request
        context = request.meta.get("discover", {})
        reason = failure.getErrorMessage() or failure.type.__name__
        finding = context.get("finding")
        if finding is not None:
            self.findings.append(replace(finding, status="failed", evidence=reason))
        elif context.get("depth", 0) > 0:
            self.findings.append(
                ColumnFinding(request.url, "failed", evidence=reason, via=context.get("via", ""))
            )
        else:
            self.problems.append(f"start page: {reason} ({request.url})")
        yield from self.next_request()

    # -- the outcome -----------------------------------------------------------------------------
    def discovery(self) -> Discovery:
        proposals, passed = propose(self.findings, self.max_pages)
        families = tuple(sorted(self.families, key=lambda k: -self.families[k]))
        return Discovery(self.start_url, self.used, families, tuple(proposals), tuple(passed))
