"""Small helpers every renderer shares: safe links, dates, labels."""

from __future__ import annotations

from urllib.parse import urlsplit

from monitor.digest.build import Digest, Item

KIND_WORDS = {"removed": "Removed", "restored": "Restored", "moved": "Moved", "new": "New",
              "changed": "Changed", "closing_soon": "Closing soon"}
PROBLEM_WORDS = {"blocked": "blocked", "paused": "paused after failures", "list_empty": "list page empty",
                 "list_missing": "list page gone", "list_failed": "list page failed", "failing": "failing",
                 "silent": "silent", "quiet": "no new notices", "list_page_failed": "a list page failed",
                 "spider_error": "crawl error", "not_html": "not a page"}


def safe_url(url: str | None) -> str | None:
    """The URL if it is http(s); scraped pages never get to put javascript: or data: links in a digest."""
    if not url:
        return None
    parts = urlsplit(url.strip())
    return url.strip() if parts.scheme in ("http", "https") and parts.netloc else None


def short_time(iso: str | None) -> str:
    """'2024-10-08T01:30:00+00:00' → '2024-10-08 01:30 UTC'."""
    if not iso:
        return ""
    text = iso.replace("T", " ")
    if text.endswith("+00:00"):
        return text[:16] + " UTC"
    return text[:16]


def who(item: Item) -> str:
    """'中共珠海市委 · 省委第十一巡视组 · 十二届省委第四轮' (what is known)."""
    n = item.notice
    return " · ".join(x for x in (n.inspected_org, n.inspection_team, n.inspection_round) if x)


def contact(item: Item) -> str:
    n = item.notice
    parts = [f"tel {', '.join(n.phones)}" if n.phones else "", ", ".join(n.emails),
             " ".join(x for x in (n.postal_address, f"({n.postcode})" if n.postcode else "") if x)]
    return " · ".join(p for p in parts if p)


def scope_line(digest: Digest) -> str:
    parts = [digest.scope] if digest.scope else []
    if digest.event_ids:
        first, last = digest.first_event_id, digest.last_event_id
        parts.append(f"event #{first}" if first == last else f"events #{first}–#{last}")
    parts.append(f"generated {short_time(digest.generated_at)}")
    return " · ".join(parts)


def one_line(text: str) -> str:
    return " ⏎ ".join(part for part in text.splitlines() if part) if "\n" in text else text


def withdrawn_words(item: Item) -> str:
    """'withdrawn with 17 days of its comment window left (open until 2024-10-25)'."""
    n = item.notice
    days = n.days_left
    if days is None or days < 0:
        return f"withdrawn while its comment window was open ({n.window_text})"
    left = {0: "on the last day of its comment window"}.get(
        days, f"with {days} day{'s' if days != 1 else ''} of its comment window left")
    return f"withdrawn {left} (open until {n.disclosure_end})"
