"""The gkmlpt catalogue's index page (`/gkmlpt/index`): the site id and the category tree.

The page is a JavaScript app whose configuration object holds `SID: '756001'` and
`TREE: [{id, name, children: […], jump_url, post_count}, …]` (docs/portals.md, "More facts"), so a source
need not hand-copy ids: it names categories (`categories: [巡视巡察, 通知公告]`) and they are looked up
in the tree at crawl time. Pure: text in, frozen dataclasses out.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from crawler.parser.text import fold_width, to_simplified

_SID = re.compile(r"""\bSID\s*[:=]\s*["']?(\d+)""")
_TREE = re.compile(r"\bTREE\s*[:=]\s*\[")
_BARE_KEY = re.compile(r"([{,]\s*)([A-Za-z_]\w*)\s*:")
# Category names that hold inspection documents, for a source that names none.
INSPECTION_NAMES = re.compile(r"巡视|巡察")


class CatalogueError(ValueError):
    """An index page without SID or TREE (not a gkmlpt index, or a challenge page)."""


@dataclass(frozen=True)
class Category:
    id: str
    name: str
    post_count: int | None
    path: tuple[str, ...]  # names from the top of the tree down to this one
    jump_url: str | None = None


@dataclass(frozen=True)
class CatalogueIndex:
    sid: str | None
    categories: tuple[Category, ...]  # the tree, depth first


def read_index(html: str) -> CatalogueIndex:
    """SID and the flattened TREE of an index page; CatalogueError when neither is there."""
    sid_match = _SID.search(html)
    tree = _tree_literal(html)
    if sid_match is None and tree is None:
        raise CatalogueError("no SID or TREE in the gkmlpt index page")
    categories = tuple(_flatten(tree or [], ()))
    return CatalogueIndex(sid_match.group(1) if sid_match else None, categories)


def _tree_literal(html: str) -> list[Any] | None:
    found = _TREE.search(html)
    if found is None:
        return None
    start = found.end() - 1
    depth, quote, i = 0, "", start
    while i < len(html):
        ch = html[i]
        if quote:
            if ch == "\\":
                i += 1
            elif ch == quote:
                quote = ""
        elif ch in "\"'":
            quote = ch
        elif ch in "[{":
            depth += 1
        elif ch in "]}":
            depth -= 1
            if depth == 0:
                return _loads(html[start : i + 1])
        i += 1
    return None


def _loads(text: str) -> list[Any] | None:
    """JSON, or the JavaScript literal most apps print (bare keys, single quotes)."""
    for attempt in (text, _BARE_KEY.sub(r'\1"\2":', text.replace("'", '"'))):
        try:
            value = json.loads(attempt)
        except ValueError:
            continue
        return value if isinstance(value, list) else None
    return None


def _flatten(nodes: Iterable[Any], path: tuple[str, ...]) -> Iterator[Category]:
    for node in nodes:
        if not isinstance(node, dict) or node.get("id") in (None, ""):
            continue
        name = str(node.get("name") or "").strip()
        count = node.get("post_count")
        yield Category(
            id=str(node["id"]),
            name=name,
            post_count=count if isinstance(count, int) and not isinstance(count, bool) else None,
            path=(*path, name),
            jump_url=str(node["jump_url"]) if node.get("jump_url") else None,
        )
        yield from _flatten(node.get("children") or [], (*path, name))


def _norm(name: str) -> str:
    return to_simplified(fold_width(name)).replace(" ", "")


def choose(index: CatalogueIndex, names: Iterable[str]) -> tuple[list[Category], list[str]]:
    """The categories `names` name (an exact name first, else every one whose name contains it),
    and the names that matched none. A category that only jumps elsewhere (`jump_url`) is left out."""
    chosen: list[Category] = []
    missing: list[str] = []
    listed = [c for c in index.categories if not c.jump_url]
    for name in names:
        wanted = _norm(name)
        exact = [c for c in listed if _norm(c.name) == wanted]
        found = exact or [c for c in listed if wanted and wanted in _norm(c.name)]
        if not found:
            missing.append(name)
        chosen.extend(c for c in found if c not in chosen)
    return chosen, missing


def inspection_categories(index: CatalogueIndex) -> list[Category]:
    """Categories whose name says 巡视/巡察 and that hold posts (for a source that names none)."""
    return [
        c
        for c in index.categories
        if not c.jump_url and INSPECTION_NAMES.search(_norm(c.name)) and c.post_count != 0
    ]
