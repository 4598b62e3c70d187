"""Shared fixtures. Every test (and every process a test starts) may talk to loopback only."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from tests.helpers import GUARD_DIR

sys.path.insert(0, str(GUARD_DIR))
from netguard_socket import install  # noqa: E402

install()

# Processes the tests start keep Python's bytecode cache (__pycache__, gitignored), as users have it:
# a PYTHONDONTWRITEBYTECODE inherited from a sandbox or CI has every one of the suite's hundreds of
# `noticewatch` processes and parse workers compile the project's modules again (~0.17 s CPU each;
# bench/store_bench.py drops it for the same reason).
os.environ.pop("PYTHONDONTWRITEBYTECODE", None)


@pytest.fixture(scope="session")
def replica_server() -> Iterator[object]:
    from replica.server import ReplicaServer
    from replica.sites import build_demo_sites

    with ReplicaServer(build_demo_sites()) as server:
        yield server


@pytest.fixture
def write_config(tmp_path: Path):
    """Write a config.yaml into tmp_path from a dict; returns its path."""

    def write(data: dict) -> Path:
        path = tmp_path / "config.yaml"
        path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
        return path

    return write
