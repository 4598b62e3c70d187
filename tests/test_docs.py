"""The README and docs/ as a newcomer meets them: every link leads to a file that exists, every
command has a section that names it, and config.yaml's comments point at files that exist."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from monitor.cli.main import cli
from tests.test_cli import all_commands

ROOT = Path(__file__).resolve().parent.parent
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")
# Files named in prose or comments: docs/x.md, bench/x.py, crawler/kinds/x.py, deploy/x.service …
# (folders in examples, like an output folder for `record`, are not checked).
NAMED_PATH = re.compile(
    r"(?<![\w./-])((?:docs|bench|crawler|monitor|replica|deploy|tests)/[\w./-]*\.(?:py|md|json|yaml|service|txt|html|toml))\b"
)


def local_links(page: Path) -> list[str]:
    return [target.split("#")[0] for target in LINK.findall(page.read_text(encoding="utf-8"))
            if not re.match(r"[a-z]+:", target) and not target.startswith("#")]


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_every_link_leads_to_a_file(page: Path) -> None:
    missing = [t for t in local_links(page) if t and not (page.parent / t).exists()]
    assert not missing, f"{page.relative_to(ROOT)} links files that do not exist: {missing}"


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_every_named_path_exists(page: Path) -> None:
    text = page.read_text(encoding="utf-8")
    missing = sorted({p for p in NAMED_PATH.findall(text) if not (ROOT / p).exists() and "*" not in p
                      and not (ROOT / p.rstrip(".")).exists()})
    assert not missing, f"{page.relative_to(ROOT)} names paths that do not exist: {missing}"


def test_every_docs_page_is_linked_from_the_readme() -> None:
    linked = {(ROOT / t).resolve() for t in local_links(ROOT / "README.md")}
    unlinked = [p.name for p in PAGES[1:] if p.resolve() not in linked]
    assert not unlinked, f"docs pages not linked from the README: {unlinked}"


def test_every_command_has_a_section() -> None:
    headings = "\n".join(line for page in PAGES for line in page.read_text(encoding="utf-8").splitlines()
                         if line.startswith("#"))
    missing = [" ".join(path) for path, _ in all_commands(cli)
               if not re.search(rf"noticewatch {re.escape(' '.join(path))}(?![\w-])", headings)]
    assert not missing, f"commands with no section (a heading naming `noticewatch …`): {missing}"


def test_config_comments_point_at_files_that_exist() -> None:
    text = (ROOT / "config.yaml").read_text(encoding="utf-8")
    named = set(NAMED_PATH.findall(text)) | set(re.findall(r"(?<![\w/])([\w-]+\.md)\b", text))
    missing = sorted(p for p in named if not (ROOT / p).exists())
    assert not missing, f"config.yaml's comments name files that do not exist: {missing}"
