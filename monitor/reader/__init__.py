"""The local web reader of the store (`noticewatch serve`): Datasette, read-only, with noticewatch's pages.

- queries.py: what the pages show, read over a read-only connection (frozen records);
- pages.py: the route handlers and their templates (templates/);
- plugin.py: the Datasette plugin (routes, read-only connections, security headers);
- server.py: Datasette + uvicorn, stopping cleanly on SIGINT/SIGTERM.

May import monitor.digest (the words and source problems digests use), monitor.store (records,
search), monitor.config and the pure top-level modules; never monitor.cli. docs/reader.md shows it.
"""
