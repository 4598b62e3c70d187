"""The guard that keeps every test on loopback works, in this process and in child processes."""

from __future__ import annotations

import socket
import subprocess
import sys

import pytest
from netguard_socket import NonLoopbackConnection

from tests.helpers import cli_env


def test_guard_refuses_non_loopback_in_process() -> None:
    with pytest.raises(NonLoopbackConnection):
        socket.create_connection(("192.0.2.1", 80), timeout=0.5)


def test_guard_refuses_dns_for_real_hosts() -> None:
    with pytest.raises(NonLoopbackConnection):
        socket.getaddrinfo("www.gdjct.gd.gov.cn", 443)


def test_guard_is_active_in_child_processes() -> None:
    code = "import socket\ntry:\n socket.create_connection(('192.0.2.1', 80), timeout=0.5)\nexcept Exception as e:\n print(type(e).__name__)"
    out = subprocess.run(
        [sys.executable, "-c", code], env=cli_env(), capture_output=True, text=True, timeout=30
    )
    assert out.stdout.strip() == "NonLoopbackConnection"
