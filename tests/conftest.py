"""Shared fixtures. Every test (and every process a test starts) may talk to loopback only."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from tests.helpers import GUARD_DIR

sys.path.insert(0, str(GUARD_DIR))
from netguard_socket import install  # noqa: E402

install()


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
