"""The digest for a terminal (rich). Scraped text goes in as rich `Text`, never as markup, so a
title like "[bold red]…" or "[link=…]" prints as itself."""

from __future__ import annotations

from io import StringIO

from rich.console import Console, Group, RenderableType
from rich.padding import Padding
from rich.rule import Rule
from rich.text import Text

from monitor.digest.build import Digest, Item, Section
from monitor.digest.render.common import (
    KIND_WORDS,
    PROBLEM_WORDS,
    contact,
    scope_line,
    short_time,
    who,
    withdrawn_words,
)

WINDOW_STYLE = {"open": "green", "closing soon": "bold yellow", "upcoming": "cyan", "closed": "dim",
                "unknown": "dim"}
SECTION_STYLE = {"withdrawn": "bold white on red", "new": "bold green", "changed": "bold yellow",
                 "closing_soon": "bold yellow", "removed": "bold magenta"}


def digest_renderable(digest: Digest, color: bool = True) -> RenderableType:
    parts: list[RenderableType] = [Text.assemble((digest.title, "bold"), "  ", (digest.today, "dim"))]
    parts.append(Text(digest.headline(), style="bold" if not digest.is_empty else ""))
    parts.append(Text(scope_line(digest), style="dim"))
    for section in digest.sections:
        parts += _section(section, color)
    if digest.problems:
        parts += [Text(""), Rule(Text(f"Sources with problems ({digest.counts['problems']})", style="bold red"),
                                 align="left")]
        for p in digest.problems:
            line = Text.assemble((p.source_name, "bold"), f" ({p.source_id}) ",
                                 (PROBLEM_WORDS.get(p.kind, p.kind), "red"), ": ", p.detail)
            parts += [_indent(line, 2), _indent(Text("→ " + p.hint, style="dim"), 4)]
    return Group(*parts)


def _indent(renderable: RenderableType, left: int) -> Padding:
    return Padding(renderable, (0, 0, 0, left))


def _section(section: Section, color: bool) -> list[RenderableType]:
    out: list[RenderableType] = [Text(""), Rule(Text(f"{section.title} ({section.count})",
                                                     style=SECTION_STYLE[section.key]), align="left")]
    for group in section.groups:
        out.append(Text(f"{group.source_name} · {len(group.items)}", style="bold cyan"))
        for item in group.items:
            out += _item(section.key, item, color)
    return out


def _item(key: str, item: Item, color: bool) -> list[RenderableType]:
    n = item.notice
    if key == "closing_soon":
        days = {0: "closes today", 1: "closes tomorrow"}.get(n.days_left or 0, f"closes in {n.days_left} days")
        return [_indent(Text.assemble((f"{n.disclosure_end} ({days})", "bold yellow"), "  ", n.title), 2),
                _indent(Text(who(item), style="dim"), 4), _indent(Text(n.url, style="blue"), 4)]
    if key == "removed":
        details = ([item.note] if item.note else []) + [c.text for c in item.changes]
        out = [_indent(Text.assemble((KIND_WORDS[item.kind], "magenta"), ": ", n.title), 2)]
        out += [_indent(Text(d, style="dim"), 4) for d in details]
        if item.kind != "moved":
            out.append(_indent(Text(n.url, style="blue"), 4))
        return out
    lines: list[RenderableType] = [Text("• " + n.title, style="bold")]
    if who(item):
        lines.append(Text(who(item)))
    if key == "withdrawn":
        meta = Text(withdrawn_words(item), style="bold red")
        if item.note:
            meta.append(f" · removed after {item.note}", style="red")
    else:
        meta = Text(n.window_text, style=WINDOW_STYLE.get(n.window_status, ""))
    meta.append(f" · detected {short_time(item.detected_at)}", style="dim")
    lines.append(meta)
    if key == "new" and contact(item):
        lines.append(Text("comments to: " + contact(item), style="dim"))
    for change in item.changes:
        lines.append(Text("– " + change.text, style="yellow"))
    if item.diff:
        lines.append(_diff(item, color))
    lines.append(Text(n.url, style="blue"))
    return [_indent(lines[0], 2), *(_indent(line, 4) for line in lines[1:])]


def _diff(item: Item, color: bool) -> Text:
    """Coloured strike/bold on a terminal; the [-old-]{+new+} markers in plain text."""
    diff = Text()
    for op, text in item.diff:
        if color:
            diff.append(text, style={"del": "strike red", "ins": "bold green"}.get(op, "dim"))
        else:
            diff.append({"del": f"[-{text}-]", "ins": f"{{+{text}+}}"}.get(op, text))
    return diff


def render_terminal(digest: Digest, color: bool = False, width: int = 100) -> str:
    """Plain text (color=False: no ANSI codes, for goldens and pipes) or ANSI-coloured text."""
    buffer = StringIO()
    console = Console(file=buffer, width=width, force_terminal=color, color_system="standard" if color else None,
                      no_color=not color, highlight=False, emoji=False, legacy_windows=False)
    console.print(digest_renderable(digest, color))
    return "\n".join(line.rstrip() for line in buffer.getvalue().splitlines()) + "\n"
