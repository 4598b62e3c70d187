"""Loaded by every Python process the tests start (PYTHONPATH): refuse non-loopback connections."""

import sys

sys.path.insert(0, __file__.rsplit("/", 2)[0])  # make tests/ importable for the guard module
from netguard_socket import install  # noqa: E402

install()
