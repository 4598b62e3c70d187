"""Storage: one SQLite file through sqlite-utils: schema and migrations, the store, its writer
thread, the search index and the file locks beside the database.

`db.Store` is `connection.Connection` with its three jobs: writing crawl outcomes (`outcomes.py`,
one transaction per written notice), reading for views (`views.py`) and keeping sources and runs
(`runs.py`); `records.py` holds the frozen records it hands out. May import crawler/ items, the
config and the pure top-level modules (changes, window); it knows nothing of crawls, digests or the daemon.
"""
