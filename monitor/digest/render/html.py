"""The digest as one standalone HTML file: reads well in a browser and in mail clients.

No scripts, no external resources, inline styles (mail clients drop or rewrite <style>; the small
<style> block only adds what inline styles cannot: dark mode and narrow screens). Every piece of
scraped text goes through `e()` (html.escape), and links are http(s) only, so a `<script>` in a
notice title shows as text.
"""

from __future__ import annotations

import re
from html import escape

from monitor.digest.build import Digest, Item, Section
from monitor.digest.render.common import (
    KIND_WORDS,
    PROBLEM_WORDS,
    contact,
    safe_url,
    scope_line,
    short_time,
    withdrawn_words,
)
from monitor.digest.sources import SourceProblem

FONT = ("-apple-system,BlinkMacSystemFont,'Segoe UI','PingFang SC','Hiragino Sans GB','Microsoft YaHei',"
        "'Noto Sans CJK SC','Noto Sans SC',Roboto,Helvetica,Arial,sans-serif")
INK, MUTED, LINE, PAPER = "#1d2329", "#5d6770", "#e3e6e8", "#ffffff"
WINDOW_COLORS = {  # badge background, text
    "open": ("#e3f4e8", "#17662f"), "closing soon": ("#fff1d6", "#8a5300"), "upcoming": ("#e4eefb", "#1f4f8f"),
    "closed": ("#eceff1", "#505a62"), "unknown": ("#eceff1", "#505a62"),
}
SECTION_ACCENT = {"withdrawn": "#c62828", "new": "#1f6feb", "changed": "#b26a00", "closing_soon": "#8a5300",
                  "removed": "#5d6770"}
STYLE = """
@media (prefers-color-scheme: dark) {
  body, .nw-page { background:#15191d !important; } .nw-card { background:#1e2329 !important; color:#e6e9ec !important; }
  .nw-card a { color:#8ab4f8 !important; } .nw-muted { color:#a4adb5 !important; }
  .nw-diff { background:#262c33 !important; color:#e6e9ec !important; }
}
@media (max-width: 600px) { .nw-card { padding:16px !important; } .nw-title { font-size:22px !important; } }
ins { text-decoration:none; } del { text-decoration:line-through; }
"""


def e(value: object) -> str:
    return escape("" if value is None else str(value), quote=True)


def a(text: str, url: str | None, style: str = "") -> str:
    target = safe_url(url)
    if target is None:
        return f'<span lang="zh" style="{style}">{e(text)}</span>'
    return f'<a href="{e(target)}" lang="zh" style="color:#0b57d0;text-decoration:none;{style}">{e(text)}</a>'


def badge(text: str, bg: str, fg: str) -> str:
    return (f'<span style="display:inline-block;padding:1px 8px;border-radius:10px;background:{bg};color:{fg};'
            f'font-size:12px;font-weight:600">{e(text)}</span>')


def render_html(digest: Digest) -> str:
    body = [_header(digest)]
    if digest.is_empty:
        body.append(f'<p style="font-size:16px;margin:24px 0">{e(digest.headline())}</p>')
    for section in digest.sections:
        body.append(_section(section))
    if digest.problems:
        body.append(_problems(digest.problems, digest.counts["problems"]))
    body.append(f'<p class="nw-muted" style="margin:32px 0 0;color:{MUTED};font-size:12px;border-top:1px solid '
                f'{LINE};padding-top:12px">{e(scope_line(digest))} · noticewatch</p>')
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>{e(digest.title)} — {e(digest.today)}</title>
<style>{STYLE}</style>
</head>
<body style="margin:0;padding:0;background:#f2f3f1">
<div class="nw-page" style="background:#f2f3f1;padding:24px 12px;font-family:{FONT};color:{INK};line-height:1.5">
<div class="nw-card" style="max-width:760px;margin:0 auto;background:{PAPER};border-radius:8px;padding:28px 32px;\
border:1px solid {LINE}">
{''.join(body)}
</div>
</div>
</body>
</html>
"""


def _header(digest: Digest) -> str:
    chips = []
    labels = {"withdrawn": "withdrawn while open", "new": "new", "changed": "changed",
              "closing_soon": "closing soon", "removed": "removed / restored / moved", "problems": "source problems"}
    for key, count in digest.counts.items():
        color = SECTION_ACCENT.get(key, "#8a5300")
        chips.append(f'<a href="#{key}" style="text-decoration:none;display:inline-block;margin:0 6px 6px 0;'
                     f'padding:4px 10px;border:1px solid {color};border-radius:14px;color:{color};font-size:13px">'
                     f'<b>{count}</b> {labels[key]}</a>')
    return (f'<p class="nw-muted" style="margin:0;color:{MUTED};font-size:13px;letter-spacing:.02em">'
            f'{e(digest.today)}</p>'
            f'<h1 class="nw-title" style="margin:2px 0 14px;font-size:26px;line-height:1.25">{e(digest.title)}</h1>'
            f'<div>{"".join(chips)}</div>')


def _section(section: Section) -> str:
    accent = SECTION_ACCENT[section.key]
    mark = "⚠ " if section.key == "withdrawn" else ""
    out = [f'<h2 id="{section.key}" style="margin:32px 0 4px;font-size:19px;color:{accent};border-bottom:2px solid '
           f'{accent};padding-bottom:4px">{mark}{e(section.title)} <span style="font-weight:400">'
           f'({section.count})</span></h2>']
    for group in section.groups:
        out.append(f'<h3 class="nw-muted" style="margin:16px 0 6px;font-size:13px;text-transform:uppercase;'
                   f'letter-spacing:.05em;color:{MUTED}">{e(group.source_name)} · {len(group.items)}</h3>')
        if section.key == "closing_soon":
            out.append(_closing_table(group.items))
        elif section.key == "removed":
            out.append("".join(small_item_html(i) for i in group.items))
        else:
            out.append("".join(item_html(section.key, i) for i in group.items))
    return "".join(out)


def item_html(key: str, item: Item) -> str:
    n = item.notice
    colors = WINDOW_COLORS.get(n.window_status, WINDOW_COLORS["unknown"])
    box = ("border-left:4px solid #c62828;background:#fdf1f1;padding:10px 14px;" if key == "withdrawn"
           else f"border-left:4px solid {LINE};padding:6px 14px;")
    rows = [f'<div style="font-size:16px;font-weight:600;line-height:1.4">{a(n.title, n.url)}</div>']
    facts = [f'<span lang="zh">{e(x)}</span>' for x in (n.inspected_org, n.inspection_team, n.inspection_round) if x]
    if facts:
        rows.append(f'<div style="font-size:14px;margin-top:2px">{" · ".join(facts)}</div>')
    meta = [badge(withdrawn_words(item), "#c62828", "#ffffff") if key == "withdrawn" else badge(n.window_text, *colors)]
    if key == "withdrawn" and item.note:
        meta.append(f"removed after {e(item.note)}")
    if n.published_at:
        meta.append(f"published {e(n.published_at)}")
    meta.append(f"detected {e(short_time(item.detected_at))}")
    rows.append(f'<div class="nw-muted" style="font-size:13px;color:{MUTED};margin-top:4px">{" · ".join(meta)}</div>')
    if key == "new" and contact(item):
        rows.append(f'<div class="nw-muted" style="font-size:13px;color:{MUTED}">Comments to: '
                    f'<span lang="zh">{e(contact(item))}</span></div>')
    if item.changes:
        lines = "".join(f'<li lang="zh">{e(c.text)}</li>' for c in item.changes)
        rows.append(f'<ul style="margin:6px 0 0;padding-left:20px;font-size:14px">{lines}</ul>')
    if item.diff:
        rows.append(_diff(item))
    return f'<div style="margin:10px 0 14px;{box}">{"".join(rows)}</div>'


def _diff(item: Item) -> str:
    parts = []
    for op, text in item.diff:
        if op == "del":
            parts.append(f'<del style="background:#fde2e1;color:#8e1c1c">{e(text)}</del>')
        elif op == "ins":
            parts.append(f'<ins style="background:#d9f2df;color:#0f5a25;font-weight:600">{e(text)}</ins>')
        else:
            parts.append(e(text))
    return (f'<div class="nw-diff" lang="zh" style="margin-top:8px;padding:8px 10px;background:#f6f7f8;'
            f'border-radius:4px;font-size:14px;white-space:pre-wrap;word-break:break-all">{"".join(parts)}</div>')


def _closing_table(items: tuple[Item, ...]) -> str:
    rows = []
    for item in items:
        n = item.notice
        days = {0: "today", 1: "tomorrow"}.get(n.days_left or 0, f"in {n.days_left} days")
        rows.append(f'<tr><td style="padding:6px 10px 6px 0;white-space:nowrap;vertical-align:top;font-weight:600">'
                    f'{e(n.disclosure_end)}<br><span style="font-weight:400;color:#8a5300;font-size:12px">closes '
                    f'{days}</span></td><td style="padding:6px 0;vertical-align:top">{a(n.title, n.url)}'
                    f'<div class="nw-muted" style="color:{MUTED};font-size:13px" lang="zh">'
                    f'{e(" · ".join(x for x in (n.inspected_org, n.inspection_team) if x))}</div></td></tr>')
    return f'<table role="presentation" style="border-collapse:collapse;width:100%;font-size:14px">{"".join(rows)}</table>'


def small_item_html(item: Item) -> str:
    n = item.notice
    detail = [e(item.note)] if item.note else []
    detail += [f'<span lang="zh">{e(c.text)}</span>' for c in item.changes]
    color = {"removed": "#c62828", "restored": "#17662f", "moved": "#6a3fb5"}.get(item.kind, MUTED)
    return (f'<div style="margin:6px 0;font-size:14px">{badge(KIND_WORDS[item.kind], "#f2f3f5", color)} '
            f'{a(n.title, n.url)}<div class="nw-muted" style="color:{MUTED};font-size:13px;word-break:break-all">'
            f'{" · ".join([*detail, "detected " + e(short_time(item.detected_at))])}</div></div>')


def _code(escaped: str) -> str:
    """`noticewatch …` in a hint (our text, already escaped) as <code>."""
    return re.sub(r"`([^`]+)`", r'<code style="font-size:13px">\1</code>', escaped)


def _problems(problems: tuple[SourceProblem, ...], sources: int) -> str:
    out = [f'<h2 id="problems" style="margin:32px 0 4px;font-size:19px;color:#8a5300;border-bottom:2px solid '
           f'#8a5300;padding-bottom:4px">Sources with problems <span style="font-weight:400">({sources})</span></h2>']
    for p in problems:
        out.append(f'<div style="margin:10px 0;padding:8px 12px;background:#fff8e8;border-radius:4px;font-size:14px">'
                   f'<b lang="zh">{e(p.source_name)}</b> <code style="font-size:12px;color:{MUTED}">{e(p.source_id)}'
                   f'</code> {badge(PROBLEM_WORDS.get(p.kind, p.kind), "#ffe2b3", "#6b3f00")}'
                   f'<div style="margin-top:2px;word-break:break-all" lang="zh">{e(p.detail)}</div>'
                   f'<div style="margin-top:2px;color:#5a3a00"><b>What to do:</b> {_code(e(p.hint))}</div></div>')
    return "".join(out)
