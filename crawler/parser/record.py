"""Assemble the Notice record from an article's title, date and body text.

Fields are read from a width-folded copy, converted to simplified script when the page is traditional
(Macao Daily reprints), so one set of patterns serves both; body_text stays as published.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from crawler.notice import Notice

from .article import date_from_url, extract_article
from .contacts import find_contacts
from .decoding import decode, looks_like_html
from .doctype import classify, is_party_inspection
from .header import split_header
from .inspection import Inspection, find_inspection
from .outline import find_outline
from .signature import find_signature
from .text import (
    clean_lines,
    close_cjk_gaps,
    detect_script,
    fold_width,
    folded_hash,
    strip_pinyin,
    to_simplified,
)
from .timeline import find_timeline

# Variant characters of traditional texts that t2s leaves as they are (陜西 → 陕西).
_VARIANTS = str.maketrans({"陜": "陕", "峯": "峰", "綫": "线"})
_UNNUMBERED_TEAM_RE = re.compile(r"第(?:机动|专项|提级|交叉)?(?:巡视|巡察)")


def _contact_region(text: str) -> str:
    """The closing feedback paragraph ("欢迎广大干部群众…监督…联系电话…"), else the whole text."""
    at = text.rfind("欢迎")
    return text[at:] if at >= 0 and len(text) - at < 3000 else text


def _team_warnings(team: str | None) -> list[str]:
    if team and _UNNUMBERED_TEAM_RE.search(team):
        return [f"inspection_team: {team!r} has no number (dropped digit?)"]
    return []


def build_notice(
    title: str | None, published_at: str | None, body_text: str, url: str | None, source_id: str | None
) -> Notice:
    """Notice fields from an article's parts (title, date, clean body text one paragraph a line)."""
    script = detect_script((title or "") + body_text)
    folded, folded_title = fold_width(body_text), fold_width(title) if title else None
    body_hash = folded_hash(folded)
    # Fields are read without reprint sites' pinyin notes ("區(qū)"); the hash keeps the text as it is.
    # Typesetting spaces ("电 话", "巡 察 公 告") are closed up too.
    folded = close_cjk_gaps(strip_pinyin(folded))
    folded_title = close_cjk_gaps(strip_pinyin(folded_title)) if folded_title else None
    if script == "hant":
        folded = to_simplified(folded).translate(_VARIANTS)
        folded_title = to_simplified(folded_title).translate(_VARIANTS) if folded_title else None
    doc_type = classify(folded_title, folded)
    lines = folded.splitlines()
    signature = find_signature(lines)
    inspection = find_inspection(folded, folded_title, signature.signer)
    if not is_party_inspection(folded_title, folded):
        inspection = Inspection()  # a power-line 巡视, a patrol: no party inspection to describe
    announcement = doc_type == "inspection_announcement"
    timeline = find_timeline(
        folded,
        inspection.clause_span,
        published_at or signature.signed_date,
        announcement=announcement,
        notice=doc_type == "rectification_notice",
    )
    outline = find_outline(lines)
    if doc_type == "rectification_notice":
        contacts = find_contacts(_contact_region(folded))
    elif announcement:
        # An announcement's phones and mailboxes are how to report to the team: the whole text.
        contacts = find_contacts(folded)
    else:
        # Whatever the type, the report channels a page prints are read (a news page listing each
        # team's 举报电话); a report's other numbers ("联系电话" of a press office) and deadlines are not
        # a notice's feedback channel or comment window.
        contacts = find_contacts(folded, report_only=True)
    warnings = (*_team_warnings(inspection.team), *timeline.warnings)
    return Notice(
        doc_type=doc_type,
        title=title,
        url=url,
        source_id=source_id,
        published_at=published_at,
        script=script,
        inspection_level=inspection.level,
        inspection_kind=inspection.kind,
        inspection_round=inspection.round,
        inspection_team=inspection.team,
        inspected_org=inspection.org,
        inspection_start=timeline.inspection_start,
        inspection_end=timeline.inspection_end,
        feedback_date=timeline.feedback_date,
        disclosure_start=timeline.disclosure_start,
        disclosure_end=timeline.disclosure_end,
        phones=contacts.phones,
        emails=contacts.emails,
        postal_address=contacts.postal_address,
        postcode=contacts.postcode,
        signer=signature.signer,
        signed_date=signature.signed_date,
        body_text=body_text,
        content_hash=body_hash,
        disclosure_basis=timeline.disclosure_basis,
        outline=outline.headings,
        item_count=outline.item_count if doc_type == "rectification_notice" else None,
        warnings=tuple(dict.fromkeys(warnings)),
    )


def parse_text(text: str, *, url: str | None = None, source_id: str | None = None) -> Notice:
    """A plain-text notice, optionally with a saved page's header (breadcrumb, title, 来源/日期 line)."""
    header = split_header(clean_lines(text or ""))
    published = header.published_at or date_from_url(url)
    return build_notice(header.title, published, "\n".join(header.body), url, source_id)


def parse_html(
    html: str, url: str | None = None, *, source_id: str | None = None, body_selectors: Sequence[str] = ()
) -> Notice:
    """A portal's detail page → Notice; never raises (unreadable pages give doc_type "other")."""
    article = extract_article(html or "", url, body_selectors)
    return build_notice(article.title, article.published_at, article.body_text, url, source_id)


def parse_bytes(
    data: bytes,
    url: str | None = None,
    *,
    content_type: str | None = None,
    encoding: str | None = None,
    source_id: str | None = None,
    body_selectors: Sequence[str] = (),
) -> Notice:
    """Fetched bytes → Notice: decode, then HTML or plain text. Raises ParseError for binary data."""
    text = decode(data, content_type, encoding)
    is_html = looks_like_html(text) or "html" in (content_type or "").lower()
    if is_html:
        return parse_html(text, url, source_id=source_id, body_selectors=body_selectors)
    return parse_text(text, url=url, source_id=source_id)
