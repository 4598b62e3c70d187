"""Helpers shared by tests: run the CLI in a child process, build replica configs."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GUARD_DIR = Path(__file__).resolve().parent / "netguard"


def cli_env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(
        p for p in (str(GUARD_DIR), str(ROOT), env.get("PYTHONPATH", "")) if p
    )
    env["COLUMNS"] = "200"
    env.pop("NOTICEWATCH_CONFIG", None)
    env.pop("NOTICEWATCH_DB", None)
    return env


def run_cli(
    *args: str | Path, cwd: Path | None = None, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    """Run `noticewatch ARGS` in a fresh process (the reactor can run once per process)."""
    return subprocess.run(
        [sys.executable, "-m", "monitor", *map(str, args)],
        cwd=cwd or ROOT,
        env=cli_env(),
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def replica_config(server: object, sites: list | None = None, **source_overrides: object) -> dict:
    """A config dict with one nfcms source per replica site."""
    chosen = sites if sites is not None else server.sites  # type: ignore[attr-defined]
    return {
        "defaults": {"download_delay": 0, "retries": 0},
        "sources": [
            {
                "id": f"replica_{site.id}",
                "name": site.column_name,
                "kind": "nfcms",
                "start_urls": [server.url(f"{site.column}index.html")],  # type: ignore[attr-defined]
                "max_pages": 10,
                **source_overrides,
            }
            for site in chosen
        ],
    }


def load_json_lines(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]
