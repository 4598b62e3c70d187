"""Scale-out over Redis (issue 17): crawl workers on many machines, one coordinator writing the store.

What belongs here: the job and outcome formats on Redis (`protocol`), the per-domain lease and shared
pauses (`lease`), the worker that runs crawls from the arq queue and relays their items (`worker`,
`relay`), the coordinator that enqueues due sources and applies the outcome stream to SQLite
(`coordinator`, `apply`), and the worker registry `noticewatch status` reads (`registry`).

What it may import: monitor.crawl, monitor.digest, monitor.store, monitor.config and the pure
top-level modules, crawler/ and the redis/arq libraries — never monitor.daemon, monitor.reader or
monitor.cli (they sit beside or above it; the CLI wires this room in).
"""
