"""A fleet of NFCMS portals in one process: host i on its own loopback address, one port (bench/fleet_bench.py).

    .venv/bin/python bench/fleet_server.py --hosts 1000 --port 0      # prints {"ready": …, "port": P}

Host i (0-based) answers on 127.0.x.y (`address(i)`: x = 1 + i // 254, y = 1 + i % 254; never .0, .255
or 127.0.0.1), every host on the same port, with one NFCMS column `/zwgk/xsxc/` of `--notices` (5)
rectification notices (整改进展情况的通报) generated from seed i by replica/generator.py and rendered by
replica/portal.py (the replica's themes, one per host in turn; its ETag/Last-Modified; the column's
NFCMS_CAT_ID page variable and `/postmeta/i/{id}.json`). Sites are built lazily from the host's index and
kept in an LRU cache, so 10,000 hosts cost neither start-up time nor their pages' memory.

One listening socket: 0.0.0.0 with SO_BINDTODEVICE "lo" (root), so only loopback can connect (the
127/8 destination tells which host was asked); without the privilege it still binds 0.0.0.0 and
refuses every peer outside 127/8 (`listen()`, `Fleet.handle`). One socket per address would cost 10,000 file descriptors and
~10,000 bind calls at start for nothing.

Options: `--validators/--no-validators` (ETag + Last-Modified and 304 answers on list pages, detail
pages and the column JSON), `--column-json/--no-column-json` (list pages state NFCMS_CAT_ID and
/postmeta/ answers), `--robots allow|404`, `--hold-ms` (each request is held that long inside the
server, so two requests to one host at once overlap and are seen).

Counters per host: requests by kind (robots, list, column_json, post_json, detail, other) and the most
requests ever in flight at once (politeness: must stay 1). Control URLs, on 127.0.0.1 only:
`/_stats` (summary JSON), `/_stats?hosts=1` (plus per-host arrays), `/_stats?reset=1` (summary, then
zero every counter). `--stats-file PATH` writes the summary there on exit (SIGTERM, SIGINT).
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import json
import resource
import signal
import socket
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from aiohttp import web  # noqa: E402

from replica.generator import generate_notices  # noqa: E402
from replica.model import Site  # noqa: E402
from replica.places import CITIES  # noqa: E402
from replica.portal import Portal  # noqa: E402
from replica.postmeta import column_json  # noqa: E402
from replica.response import Response  # noqa: E402
from replica.validators import not_modified, not_modified_response, with_validators  # noqa: E402

PER_OCTET = 254  # y in 1..254
MAX_HOSTS = PER_OCTET * 255  # x in 1..255
COLUMN = "/zwgk/xsxc/"
THEMES = ("wendang", "list", "news_list", "table", "mobile")  # the replica's NFCMS themes
KINDS = ("robots", "list", "column_json", "post_json", "detail", "other")
ALLOW_ALL = b"User-agent: *\nDisallow:\n"
SO_BINDTODEVICE = getattr(socket, "SO_BINDTODEVICE", 25)


def address(index: int) -> str:
    """Host `index`'s loopback address: 127.0.x.y, x = 1 + index // 254, y = 1 + index % 254."""
    if not 0 <= index < MAX_HOSTS:
        raise ValueError(f"host index {index} out of range 0..{MAX_HOSTS - 1}")
    return f"127.0.{1 + index // PER_OCTET}.{1 + index % PER_OCTET}"


def index_of(ip: str) -> int | None:
    """The host index served at `ip`, or None (127.0.0.1, another address)."""
    parts = ip.split(".")
    if len(parts) != 4 or parts[:2] != ["127", "0"]:
        return None
    x, y = int(parts[2]), int(parts[3])
    if not (1 <= x <= 255 and 1 <= y <= PER_OCTET):
        return None
    return (x - 1) * PER_OCTET + (y - 1)


def column_id(index: int) -> int:
    return 30_000 + index


def notice_start_id(index: int) -> int:
    """Post ids apart per host (5 generated posts span < 2,000 ids), NFCMS-sized."""
    return 4_000_000 + index * 2_000


def fleet_site(index: int, notices: int = 5, per_page: int = 10, with_json: bool = True) -> Site:
    """Host `index`'s one NFCMS column: `notices` rectification notices from seed `index`."""
    city = CITIES[index % len(CITIES)]
    return Site(
        id=f"fleet{index:05d}",
        column=COLUMN,
        theme=THEMES[index % len(THEMES)],
        per_page=per_page,
        site_name=f"{city.name}市人民政府",
        column_name="巡察整改",
        parent_name="政务公开",
        notices=generate_notices(notices, seed=index, start_id=notice_start_id(index),
                                 source_name=f"{city.name}市纪委监委"),
        options={"column_id": column_id(index), "site_id": f"{750_000 + index}"} if with_json else {},
    )


class Counters:
    """Per-host request counts by kind, 304s, and requests in flight (now and the most ever)."""

    def __init__(self, hosts: int) -> None:
        self.hosts = hosts
        self.reset()

    def reset(self) -> None:
        self.by_kind = {kind: [0] * self.hosts for kind in KINDS}
        self.not_modified = [0] * self.hosts
        self.max_inflight = [0] * self.hosts
        if not hasattr(self, "inflight"):  # requests in flight now are still in flight after a reset
            self.inflight = [0] * self.hosts
        self.status: collections.Counter[int] = collections.Counter()
        self.refused = 0

    def summary(self, with_hosts: bool = False) -> dict[str, Any]:
        totals = {kind: sum(values) for kind, values in self.by_kind.items()}
        per_host = [sum(self.by_kind[k][i] for k in KINDS) for i in range(self.hosts)]
        over = [address(i) for i, m in enumerate(self.max_inflight) if m > 1]
        usage = resource.getrusage(resource.RUSAGE_SELF)
        out: dict[str, Any] = {
            "hosts": self.hosts,
            "requests": sum(totals.values()),
            "by_kind": totals,
            "status": {str(k): v for k, v in sorted(self.status.items())},
            "not_modified": sum(self.not_modified),
            "hosts_seen": sum(1 for n in per_host if n),
            "max_requests_per_host": max(per_host, default=0),
            "min_requests_per_host": min(per_host, default=0),
            "max_inflight_per_host": max(self.max_inflight, default=0),
            "hosts_over_one_inflight": len(over),
            "hosts_over_one_inflight_sample": over[:10],
            "refused": self.refused,
            "server_cpu_s": usage.ru_utime + usage.ru_stime,
            "server_maxrss_mb": usage.ru_maxrss / 1024,
        }
        if with_hosts:
            out["per_host"] = {**self.by_kind, "not_modified": self.not_modified,
                               "max_inflight": self.max_inflight}
        return out


def kind_of(path: str) -> str:
    if path == "/robots.txt":
        return "robots"
    if path.startswith("/postmeta/i/"):
        return "column_json"
    if path.startswith("/postmeta/p/"):
        return "post_json"
    if path.startswith(COLUMN + "content/post_"):
        return "detail"
    if path.startswith(COLUMN) and path.endswith(".html") or path == COLUMN:
        return "list"
    return "other"


class Fleet:
    """The hosts' pages and counters; `handle` is the aiohttp low-level request handler."""

    def __init__(self, hosts: int, *, port: int = 0, notices: int = 5, validators: bool = True,
                 with_json: bool = True, robots: str = "allow", hold: float = 0.005, cache: int = 4096) -> None:
        if not 1 <= hosts <= MAX_HOSTS:
            raise ValueError(f"--hosts must be 1..{MAX_HOSTS}, got {hosts}")
        self.hosts, self.port, self.notices = hosts, port, notices
        self.validators, self.with_json, self.robots, self.hold = validators, with_json, robots, hold
        self.counters = Counters(hosts)
        self._portals: collections.OrderedDict[int, Portal] = collections.OrderedDict()
        self._cache = cache
        self.bound_by = ""

    def portal(self, index: int) -> Portal:
        """Host `index`'s portal, built on first use (~1 ms), kept while recently used."""
        portal = self._portals.get(index)
        if portal is None:
            portal = Portal([fleet_site(index, self.notices, with_json=self.with_json)])
            self._portals[index] = portal
            if len(self._portals) > self._cache:
                self._portals.popitem(last=False)
        else:
            self._portals.move_to_end(index)
        return portal

    def page(self, index: int, path: str, base_url: str) -> Response:
        """What host `index` answers at `path`, validators as configured, before any 304."""
        if path == "/robots.txt":
            if self.robots == "404":
                return self.portal(index).error(404)
            return Response(200, ALLOW_ALL, "text/plain; charset=utf-8")
        portal = self.portal(index)
        if path.startswith("/postmeta/") and not self.with_json:
            return portal.error(404)
        response = portal.respond(path, base_url)
        if path.startswith("/postmeta/i/") and response.status == 200:
            site = portal.sites[0]
            # The replica's column JSON has no validators; real NFCMS (nginx, static JSON) sends both.
            response = with_validators(response, json.dumps(column_json(site, base_url)), site.last_modified())
        if not self.validators:
            kept = tuple((k, v) for k, v in response.headers if k.lower() not in ("etag", "last-modified"))
            response = Response(response.status, response.body, response.content_type, kept)
        return response

    async def handle(self, request: web.BaseRequest) -> web.StreamResponse:
        sockname = request.transport.get_extra_info("sockname") if request.transport else None
        peer = request.transport.get_extra_info("peername") if request.transport else None
        if not peer or not str(peer[0]).startswith("127."):
            self.counters.refused += 1  # only reachable without SO_BINDTODEVICE: loopback peers only
            if request.transport:
                request.transport.close()
            raise web.HTTPForbidden()
        local = str(sockname[0]) if sockname else ""
        if local == "127.0.0.1":
            return self.control(request)
        index = index_of(local)
        if index is None or index >= self.hosts:
            self.counters.status[404] += 1
            return web.Response(status=404, text="no such fleet host\n")
        return await self.serve(index, local, request)

    async def serve(self, index: int, local: str, request: web.BaseRequest) -> web.StreamResponse:
        c = self.counters
        c.inflight[index] += 1
        c.max_inflight[index] = max(c.max_inflight[index], c.inflight[index])
        try:
            if self.hold:
                await asyncio.sleep(self.hold)  # two requests at once to this host overlap here
            path = request.path
            c.by_kind[kind_of(path)][index] += 1
            response = self.page(index, path, f"http://{local}:{self.port}")
            if self.validators and request.method in ("GET", "HEAD") and not_modified(request.headers, response):
                response = not_modified_response(response)
                c.not_modified[index] += 1
            c.status[response.status] += 1
        finally:
            c.inflight[index] -= 1
        headers = dict(response.headers)
        if response.status == 304:
            return web.Response(status=304, headers=headers)
        headers["Content-Type"] = response.content_type
        return web.Response(status=response.status, body=response.body, headers=headers)

    def control(self, request: web.BaseRequest) -> web.Response:
        if request.path != "/_stats":
            return web.Response(status=404, text="control URLs: /_stats, /_stats?hosts=1, /_stats?reset=1\n")
        summary = self.counters.summary(with_hosts=request.query.get("hosts") == "1")
        summary["bound_by"] = self.bound_by
        if request.query.get("reset") == "1":
            self.counters.reset()
        return web.json_response(summary)


def listen(port: int) -> tuple[socket.socket, str]:
    """One listening socket that every 127.0.x.y reaches; (socket, how it is bound)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.setsockopt(socket.SOL_SOCKET, SO_BINDTODEVICE, b"lo")
        how = "0.0.0.0 with SO_BINDTODEVICE lo"
    except (PermissionError, OSError):
        # Not root: other interfaces could connect, so every non-127/8 peer is refused (Fleet.handle).
        how = "0.0.0.0, non-loopback peers refused"
    sock.bind(("0.0.0.0", port))
    sock.listen(4096)
    sock.setblocking(False)
    return sock, how


async def serve(fleet: Fleet, port: int, stats_file: Path | None) -> None:
    sock, fleet.bound_by = listen(port)
    fleet.port = sock.getsockname()[1]
    server = web.Server(fleet.handle, access_log=None)
    runner = web.ServerRunner(server, handle_signals=False)
    await runner.setup()
    await web.SockSite(runner, sock, backlog=4096).start()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    print(json.dumps({"ready": True, "port": fleet.port, "hosts": fleet.hosts, "bound_by": fleet.bound_by,
                      "first": address(0), "last": address(fleet.hosts - 1)}), flush=True)
    try:
        await stop.wait()
    finally:
        if stats_file is not None:
            summary = fleet.counters.summary(with_hosts=False)
            stats_file.write_text(json.dumps(summary, indent=1), encoding="utf-8")
        await runner.cleanup()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--hosts", type=int, required=True, help="number of portals (127.0.1.1, 127.0.1.2, …)")
    ap.add_argument("--port", type=int, default=0, help="one port for every host (0: a free one, printed)")
    ap.add_argument("--notices", type=int, default=5, help="notices per host (one list page up to 10)")
    ap.add_argument("--validators", action=argparse.BooleanOptionalAction, default=True,
                    help="ETag/Last-Modified and 304 answers (default on)")
    ap.add_argument("--column-json", action=argparse.BooleanOptionalAction, default=True,
                    help="list pages state NFCMS_CAT_ID; /postmeta/i/{id}.json answers (default on)")
    ap.add_argument("--robots", choices=("allow", "404"), default="allow", help="robots.txt: allow-all, or 404")
    ap.add_argument("--hold-ms", type=float, default=5.0, help="hold each request this long (overlaps show)")
    ap.add_argument("--cache", type=int, default=4096, help="portals kept built (LRU)")
    ap.add_argument("--stats-file", type=Path, help="write the summary counters here on exit")
    args = ap.parse_args()
    fleet = Fleet(args.hosts, notices=args.notices, validators=args.validators, with_json=args.column_json,
                  robots=args.robots, hold=args.hold_ms / 1000, cache=args.cache)
    try:
        asyncio.run(serve(fleet, args.port, args.stats_file))
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
