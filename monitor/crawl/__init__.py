"""Running crawls: Scrapy on the asyncio reactor (`runner.py`), the item pipeline into the store
(`pipeline.py`), `run_crawl` for the CLI (`run.py`), and re-checks over httpx (`recheck.py`,
`fetch.py`, `politeness.py`).

May import crawler/, the store, the config and the pure top-level modules; never digests, the
daemon or the CLI.
"""
