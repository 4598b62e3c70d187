"""A replica of the real portals: real HTTP on loopback, for tests and the offline demo.

See docs/portals.md, "Testing without the internet". Nothing here touches the network beyond
the socket it listens on.
"""

from replica.faults import Fault
from replica.generator import generate_news, generate_notices
from replica.model import EXPECTED_FIELDS, ReplicaNotice, Site
from replica.server import ReplicaServer, RequestRecord
from replica.sites import build_demo_sites, build_theme_sites

__all__ = [
    "EXPECTED_FIELDS",
    "Fault",
    "ReplicaNotice",
    "ReplicaServer",
    "RequestRecord",
    "Site",
    "build_demo_sites",
    "build_theme_sites",
    "generate_news",
    "generate_notices",
]
