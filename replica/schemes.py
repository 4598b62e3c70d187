"""URL schemes and page structures of the CMS kinds other than NFCMS (docs/portals.md, "Facts about the
real portals"), one module each:

- replica/trs.py — TRS WCM: `index.html`, `index_1.html` (= page 2!), details
  `/{col}/YYYYMM/tYYYYMMDD_{id}.html`, body `div.TRS_Editor`; a ccdi theme (`h2.tit`,
  `div.daty_con em`) and a GBK "gb2312" theme.
- replica/hanweb.py — Hanweb 大汉: column `/col/col{id}/index.html`, records by POST to
  `/module/web/jpage/dataproxy.jsp` as XML, details `/art/Y/M/D/art_{col}_{id}.html`; GBK.
- replica/gkmlpt.py — the Guangdong open-government catalogue: JSON list API
  `/gkmlpt/api/all/{cat}?page=N&sid=SID`, NFCMS-like detail pages with 索引号/文号.
- replica/epaper.py — Founder e-paper (Macao Daily): edition → page → article, traditional script.
- replica/html_list.py — "some other CMS": the structure a config's html_list selectors describe.

A `Site` of such a kind is routed here by replica/portal.py before the NFCMS routes; each scheme
answers the paths it owns and None for the rest.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol
from urllib.parse import parse_qs

from replica.response import Response

if TYPE_CHECKING:
    from replica.model import ReplicaNotice, Site
    from replica.portal import Portal

_MODULES = {
    "trs": "replica.trs",
    "hanweb": "replica.hanweb",
    "gkmlpt": "replica.gkmlpt",
    "founder_epaper": "replica.epaper",
    "html_list": "replica.html_list",
}


@dataclass(frozen=True)
class KindRequest:
    method: str
    path: str
    query: dict[str, str]  # first value of each parameter
    form: dict[str, str]  # a POSTed application/x-www-form-urlencoded body, decoded
    base_url: str

    @classmethod
    def of(cls, method: str, path: str, query: str, body: bytes, base_url: str) -> KindRequest:
        def first(text: str) -> dict[str, str]:
            return {k: v[0] for k, v in parse_qs(text, keep_blank_values=True).items()}

        return cls(method, path, first(query), first(body.decode("utf-8", "replace")), base_url)

    def param(self, name: str) -> str | None:
        """A parameter from the form, else the query string (Hanweb accepts both)."""
        return self.form.get(name, self.query.get(name))


class Scheme(Protocol):
    def list_url(self, site: Site, page: int) -> str: ...

    def detail_url(self, site: Site, notice: ReplicaNotice) -> str: ...

    def route(self, portal: Portal, site: Site, request: KindRequest) -> Response | None: ...


def scheme_for(kind: str) -> Scheme:
    try:
        module = importlib.import_module(_MODULES[kind])
    except KeyError:
        raise ValueError(
            f"replica: no scheme for kind {kind!r} (valid: nfcms, {', '.join(_MODULES)})"
        ) from None
    return module.SCHEME  # type: ignore[no-any-return]


def page_response(site: Site, html: str, status: int = 200, content_type: str | None = None) -> Response:
    """`html` encoded as the site serves it. GBK sites send a bare `text/html` header and say
    gb2312 in a <meta> (as real ones do), so a client must read the meta to decode them."""
    if site.encoding.lower() in ("utf-8", "utf8"):
        return Response(status, html.encode("utf-8"), content_type or "text/html; charset=utf-8")
    return Response(status, html.encode("gb18030", "xmlcharrefreplace"), content_type or "text/html")


def detail_answer(portal: Portal, site: Site, post_id: int, render: object, base_url: str) -> Response:
    """A detail page through the post's fault (redirect, challenge) if it has one; 404 if gone."""
    fault = site.detail_faults.get(post_id)
    notice = site.find(post_id)

    def page() -> Response:
        current = site.find(post_id)
        if current is None:
            return portal.error(404)
        return render(current, portal.hit(site, post_id))  # type: ignore[operator]

    if fault is not None:
        return fault.apply(page, portal.error, site.detail_url(post_id), base_url)
    if notice is None:
        return portal.error(404)
    return page()
