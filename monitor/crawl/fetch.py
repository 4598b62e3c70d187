"""One-off page fetches with httpx (the `parse URL` command; re-checks build on this)."""

from __future__ import annotations

from dataclasses import dataclass

import httpx

from crawler import settings as crawl_defaults

MAX_BYTES = crawl_defaults.DOWNLOAD_MAXSIZE


class FetchError(RuntimeError):
    """A page could not be fetched; one line naming the URL and the reason."""


@dataclass(frozen=True)
class Page:
    url: str
    status: int
    content: bytes
    content_type: str | None


def fetch_page(url: str, timeout: float = 30.0, user_agent: str = crawl_defaults.USER_AGENT) -> Page:
    try:
        with httpx.Client(
            timeout=timeout, follow_redirects=True, headers={"User-Agent": user_agent}
        ) as client:
            with client.stream("GET", url) as response:
                chunks: list[bytes] = []
                size = 0
                for chunk in response.iter_bytes():
                    size += len(chunk)
                    if size > MAX_BYTES:
                        raise FetchError(
                            f"GET {url}: page larger than {MAX_BYTES // (1024 * 1024)} MB, refused"
                        )
                    chunks.append(chunk)
    except httpx.HTTPError as exc:
        raise FetchError(f"GET {url}: {type(exc).__name__}: {exc}") from None
    if response.status_code >= 400:
        raise FetchError(f"GET {url}: HTTP {response.status_code}")
    return Page(
        str(response.url), response.status_code, b"".join(chunks), response.headers.get("content-type")
    )
