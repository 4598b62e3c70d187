"""Which registered domain a URL belongs to, and whether it is loopback: the keys of politeness.

Scrapy-free, so `noticewatch status` can match paused domains without importing Scrapy
(crawler/politeness.py holds the middlewares that use these).
"""

from __future__ import annotations

import functools
import ipaddress
from typing import Any
from urllib.parse import urlsplit


def is_loopback_url(url: str) -> bool:
    return _is_loopback_host((urlsplit(url).hostname or "").lower())


@functools.lru_cache(maxsize=4096)
def _is_loopback_host(host: str) -> bool:
    """Asked for every request (crawler.politeness.DomainSlots), on the reactor thread: parse
    each host's address once."""
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@functools.cache
def _tld_extractor() -> Any:
    import tldextract

    # suffix_list_urls=() keeps tldextract on its bundled list: no network fetch, ever.
    return tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)


@functools.lru_cache(maxsize=4096)
def _domain_of_host(host: str) -> str:
    return _tld_extractor()(host).top_domain_under_public_suffix or host


def registered_domain(url: str) -> str:
    """zhuhai.gov.cn for www.zhuhai.gov.cn and xxgk.zhuhai.gov.cn: one firewall, one queue."""
    return _domain_of_host(urlsplit(url).hostname or "")
