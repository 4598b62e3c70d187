"""Appending sources to a config file as text, so its comments and layout stay as they are
(`noticewatch discover --add`). The new file is validated in full before it replaces the old one:
a bad entry leaves the file untouched and raises ConfigError.
"""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

import yaml

from monitor.config.errors import ConfigError
from monitor.config.loader import Config, parse_config

_SOURCES = re.compile(r"^sources:[ \t]*(?:#.*)?$", re.M)
_FLOW_SOURCES = re.compile(r"^sources:[ \t]*\S", re.M)
_TOP_LEVEL = re.compile(r"^[^\s#-]")  # a top-level key (list items may sit at column 0)
_ITEM = re.compile(r"^([ \t]*)- ")


def source_ids(path: Path) -> set[str]:
    """The ids of the sources a config file has (none when there is no file)."""
    if not path.exists():
        return set()
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return {str(s.get("id")) for s in data.get("sources") or [] if isinstance(s, dict)}


def insertion_point(text: str) -> tuple[int, str, str]:
    """(offset, indent, prefix) where new source entries go in `text`: the end of the `sources:`
    block, indented as its entries are; `prefix` is what must come first (a `sources:` line)."""
    found = _SOURCES.search(text)
    if found is None:
        if _FLOW_SOURCES.search(text):
            raise ConfigError("sources: written inline (sources: [...]): add the entries by hand")
        return len(text), "  ", ("" if text.endswith("\n") or not text else "\n") + "sources:\n"
    lines = text[found.end() + 1 :].splitlines(keepends=True)
    offset = found.end() + 1
    end = offset
    indent = None
    for line in lines:
        if _TOP_LEVEL.match(line):
            break
        if indent is None and (item := _ITEM.match(line)):
            indent = item.group(1)
        offset += len(line)
        # Blank lines and column-0 comments at the block's end belong to what follows it.
        if (line.strip() and not line.startswith("#")) or (line.strip() and line.startswith((" ", "\t"))):
            end = offset
    return end, indent if indent is not None else "  ", ""


def append_sources(path: Path, entries_text: str) -> Config:
    """Append rendered source entries (already indented by `insertion_point`'s indent) to the
    `sources:` list of the config at `path` (made if missing); the new config, validated."""
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    at, _, prefix = insertion_point(text)
    before = text[:at]
    if before and not before.endswith("\n"):
        before += "\n"
    new_text = before + prefix + "\n" + entries_text + text[at:]
    try:
        data = yaml.safe_load(new_text)
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: the entries would not make valid YAML: {exc}") from None
    config = parse_config(data, path, full_check=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(new_text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return config
