"""Download-slot policy: loopback hosts get their own fast slot; everything else stays polite."""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

from scrapy import Request, Spider

LOOPBACK_SLOT = "loopback"  # configured in settings.DOWNLOAD_SLOTS


def is_loopback_url(url: str) -> bool:
    host = (urlsplit(url).hostname or "").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class LoopbackFastLane:
    """Route loopback requests to the `loopback` download slot and keep AutoThrottle off it.

    AutoThrottle never lowers a slot below DOWNLOAD_DELAY, so loopback requests must also carry
    `autothrottle_dont_adjust_delay`; real portals keep the global polite delay.
    """

    def process_request(self, request: Request, spider: Spider | None = None) -> None:
        if is_loopback_url(request.url):
            request.meta.setdefault("download_slot", LOOPBACK_SLOT)
            request.meta["autothrottle_dont_adjust_delay"] = True
        return None
