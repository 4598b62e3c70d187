"""Digest renderers: pure functions Digest → text (or bytes for Atom). No I/O.

`render(digest, fmt)` picks one: terminal (rich, ANSI), md, html (standalone, e-mail safe), json
(schema: docs/digest.schema.json), atom (feedgen; one entry per event, stable ids).
"""

from __future__ import annotations

from monitor.digest.build import Digest

FORMATS = ("terminal", "md", "html", "json", "atom")
EXTENSIONS = {"terminal": "txt", "md": "md", "html": "html", "json": "json", "atom": "atom"}
MEDIA_TYPES = {"terminal": "text/plain", "md": "text/markdown", "html": "text/html",
               "json": "application/json", "atom": "application/atom+xml"}


def render(digest: Digest, fmt: str, *, base_url: str | None = None, color: bool = False,
           width: int = 100) -> str:
    """The digest as text in `fmt` (one of FORMATS)."""
    if fmt == "terminal":
        from monitor.digest.render.terminal import render_terminal

        return render_terminal(digest, color=color, width=width)
    if fmt == "md":
        from monitor.digest.render.markdown import render_markdown

        return render_markdown(digest)
    if fmt == "html":
        from monitor.digest.render.html import render_html

        return render_html(digest)
    if fmt == "json":
        from monitor.digest.render.jsonfmt import render_json

        return render_json(digest)
    if fmt == "atom":
        from monitor.digest.render.atom import render_atom

        return render_atom(digest, base_url=base_url)
    raise ValueError(f"unknown digest format {fmt!r} (valid: {', '.join(FORMATS)})")
