"""The background daemon: one asyncio process with APScheduler jobs (`lifecycle.py`), the jobs
themselves (`jobs.py`), their persisted state (`state.py`) and what `noticewatch status` reads
(`status.py`).

May import crawls, the store, the config and the pure top-level modules. The digest job is handed
in by the CLI, so the daemon imports no digest code.
"""
