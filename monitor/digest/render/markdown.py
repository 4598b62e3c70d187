"""The digest as Markdown: for chat tools, issue trackers, and the plain-text part of e-mails.

Scraped text is escaped (Markdown punctuation and HTML brackets), so a title cannot add links,
markup or HTML to the rendered page. Links are http(s) only.
"""

from __future__ import annotations

import re

from monitor.digest.build import Digest, Item, Section
from monitor.digest.render.common import (
    KIND_WORDS,
    PROBLEM_WORDS,
    contact,
    one_line,
    safe_url,
    scope_line,
    who,
    withdrawn_words,
)

_SPECIAL = re.compile(r"([\\`*_{}\[\]|~])")
_LEADING = re.compile(r"^(\s*)([-+#>=])|^(\s*\d+)([.)])")  # would start a list, heading or quote


def esc(text: object) -> str:
    """Escape Markdown and HTML in scraped text; newlines become a visible ⏎."""
    value = one_line(str(text))
    value = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    value = _SPECIAL.sub(r"\\\1", value)
    return _LEADING.sub(lambda m: f"{m[1]}\\{m[2]}" if m[2] else f"{m[3]}\\{m[4]}", value)


def link(text: str, url: str | None) -> str:
    target = safe_url(url)
    if target is None:
        return esc(text)
    return f"[{esc(text)}](<{target.replace('<', '%3C').replace('>', '%3E').replace(' ', '%20')}>)"


def render_markdown(digest: Digest) -> str:
    out = [f"# {esc(digest.title)} — {digest.today}", ""]
    if digest.is_empty:
        out += [digest.headline(), "", f"_{esc(scope_line(digest))}_", ""]
        return "\n".join(out)
    out += [f"**{digest.headline()}**", "", f"_{esc(scope_line(digest))}_", ""]
    for section in digest.sections:
        out += _section(section)
    if digest.problems:
        out += [f"## Sources with problems ({digest.counts['problems']})", ""]
        for p in digest.problems:
            out.append(f"- **{esc(p.source_name)}** (`{p.source_id}`) — {PROBLEM_WORDS.get(p.kind, p.kind)}: "
                       f"{esc(p.detail)}  ")
            # Hints are our own text (source ids are [a-z0-9_-]): keep their `commands` as code.
            out.append(f"  What to do: {p.hint.replace('&', '&amp;').replace('<', '&lt;')}")
        out.append("")
    return "\n".join(out).rstrip() + "\n"


def _section(section: Section) -> list[str]:
    mark = "⚠ " if section.key == "withdrawn" else ""
    out = [f"## {mark}{section.title} ({section.count})", ""]
    for group in section.groups:
        out += [f"### {esc(group.source_name)} ({len(group.items)})", ""]
        for item in group.items:
            out += _item(section.key, item)
        out.append("")
    return out


def _item(key: str, item: Item) -> list[str]:
    n = item.notice
    if key == "closing_soon":
        return [f"- **{n.disclosure_end}** — {link(n.title, n.url)}  ", f"  {esc(who(item) or '')} · "
                f"{esc(n.window_text)}"]
    if key == "removed":
        line = f"- **{KIND_WORDS[item.kind]}**: {link(n.title, n.url)}"
        details = [esc(item.note)] if item.note else []
        details += [esc(c.text) for c in item.changes]
        return [line + (f" — {'; '.join(details)}" if details else "")]
    out = [f"- **{link(n.title, n.url)}**  "]
    facts = [esc(who(item))] if who(item) else []
    if key == "withdrawn":
        facts.append(f"**{esc(withdrawn_words(item))}**")
        if item.note:
            facts.append(f"removed after {esc(item.note)}")
    else:
        facts.append(f"window: {esc(n.window_text)}")
    if key == "new" and contact(item):
        facts.append(f"comments to: {esc(contact(item))}")
    if n.published_at and key == "new":
        facts.append(f"published {n.published_at}")
    out += [f"  {fact}  " for fact in facts]
    for change in item.changes:
        out.append(f"  - {esc(change.text)}")
    if item.diff:
        out.append(f"  - diff: {_diff(item)}")
    out[-1] = out[-1].rstrip()
    return out


def _diff(item: Item) -> str:
    parts = []
    for op, text in item.diff:
        if op == "del":
            parts.append(f"~~{esc(text)}~~")
        elif op == "ins":
            parts.append(f"**{esc(text)}**")
        else:
            parts.append(esc(text))
    return "".join(parts)
