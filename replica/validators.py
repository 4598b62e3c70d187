"""HTTP validators: `ETag` and `Last-Modified` on list and detail pages, and 304 answers.

A detail page's ETag hashes the post's content and dressing and the theme (not the per-request view
counter, nor neighbouring posts shown on the page); a list page's hashes the page as rendered
(lists have no per-request chrome). Last-Modified is the CMS's
modification time (China Standard Time) in HTTP form. A request's `If-None-Match` decides when
present; otherwise `If-Modified-Since` does (RFC 9110 §13.2.2).
"""

from __future__ import annotations

import datetime as dt
import email.utils
import hashlib
from collections.abc import Mapping

from replica.response import Response

CST = dt.timezone(dt.timedelta(hours=8), "CST")


def etag_of(basis: str) -> str:
    """A strong ETag from what identifies a page's content."""
    return '"' + hashlib.sha256(basis.encode("utf-8")).hexdigest()[:32] + '"'


def cms_time(text: str) -> dt.datetime:
    """ "2024-09-26 11:00:00" (CMS time, UTC+8) → an aware datetime."""
    return dt.datetime.strptime(text, "%Y-%m-%d %H:%M:%S").replace(tzinfo=CST)


def http_date(cms: str) -> str:
    """ "2024-09-26 11:00:00" (CMS time) → "Thu, 26 Sep 2024 03:00:00 GMT"."""
    return email.utils.format_datetime(cms_time(cms).astimezone(dt.UTC), usegmt=True)


def with_validators(response: Response, basis: str, modified: str) -> Response:
    """`response` with an ETag hashed from `basis` and `modified` (CMS time) as Last-Modified."""
    return response.with_headers(("ETag", etag_of(basis)), ("Last-Modified", http_date(modified)))


def _etags(header: str) -> list[str]:
    """The entity tags of an If-None-Match value, weak ones compared weakly (W/ dropped)."""
    return [tag.strip().removeprefix("W/") for tag in header.split(",") if tag.strip()]


def _since(header: str) -> dt.datetime | None:
    try:
        when = email.utils.parsedate_to_datetime(header)
    except (TypeError, ValueError, IndexError):
        return None
    return when if when.tzinfo else when.replace(tzinfo=dt.UTC)


def not_modified(request_headers: Mapping[str, str], response: Response) -> bool:
    """Whether a GET/HEAD with these headers gets 304 instead of `response`."""
    if response.status != 200:
        return False
    etag, modified = response.header("ETag"), response.header("Last-Modified")
    if_none_match = request_headers.get("If-None-Match")
    if if_none_match is not None:
        tags = _etags(if_none_match)
        return etag is not None and ("*" in tags or etag in tags)
    if_modified_since = request_headers.get("If-Modified-Since")
    if if_modified_since is None or modified is None:
        return False
    since = _since(if_modified_since)
    return since is not None and email.utils.parsedate_to_datetime(modified) <= since


def not_modified_response(response: Response) -> Response:
    """The 304 for `response`: no body, the same validators."""
    kept = tuple((k, v) for k, v in response.headers if k.lower() in ("etag", "last-modified"))
    return Response(304, b"", response.content_type, kept)
