"""The rooms of monitor/ and the arrows between them (docs/internals.md, pyproject [tool.importlinter]).

The contracts are import-linter's; these tests run them and keep them honest: every room under
monitor/ must be named in the layers, so a new package cannot slip past the arrows, and a wrong
arrow written into a scratch copy of the tree must be caught.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def contracts() -> list[dict]:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["importlinter"]["contracts"]


def lint(root: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(LINT_IMPORTS), "--no-cache", "--config", str(root / "pyproject.toml")],
                          cwd=root, capture_output=True, text=True, env={"PYTHONPATH": str(root), "PATH": "/usr/bin:/bin"},
                          timeout=120)


def test_the_tree_keeps_every_contract() -> None:
    result = lint(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_room_and_top_level_module_is_in_a_layer() -> None:
    layers = next(c for c in contracts() if c["id"] == "rooms")["layers"]
    named = {part.strip().strip("()") for layer in layers for part in layer.replace(":", "|").split("|")}
    monitor = ROOT / "monitor"
    rooms = {f"monitor.{p.name}" for p in monitor.iterdir() if (p / "__init__.py").exists()}
    modules = {f"monitor.{p.stem}" for p in monitor.glob("*.py") if p.stem not in ("__init__", "__main__")}
    assert rooms | modules <= named, f"not in any layer of [tool.importlinter] rooms: {sorted((rooms | modules) - named)}"


def test_every_room_says_what_belongs_there() -> None:
    for init in (ROOT / "monitor").glob("*/__init__.py"):
        text = init.read_text(encoding="utf-8")
        assert text.startswith('"""') and "import" in text.split('"""')[1], f"{init}: docstring saying what it holds and may import"


def test_a_wrong_arrow_is_caught(tmp_path: Path) -> None:
    for name in ("monitor", "crawler", "replica"):
        shutil.copytree(ROOT / name, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__", "seeds"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    # The store reaching up into the digests, and crawler/ reaching into monitor/.
    (tmp_path / "monitor" / "store" / "upward.py").write_text("from monitor.digest import build\n")
    (tmp_path / "crawler" / "upward.py").write_text("import monitor.store.db\n")
    result = lint(tmp_path)
    assert result.returncode != 0
    assert "monitor.store.upward -> monitor.digest.build" in result.stdout
    assert "crawler.upward -> monitor.store.db" in result.stdout
