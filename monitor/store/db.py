"""The store: one SQLite file holding current state, versions, runs and events.

`Store` is the connection (monitor/store/connection.py) with its jobs: writing crawl outcomes
(outcomes.py), reading for views (views.py), keeping sources and runs (runs.py), and what the
no-change check before a crawl keeps (checks.py).
"""

from __future__ import annotations

from monitor.store.checks import CheckStore
from monitor.store.outcomes import OutcomeWrites
from monitor.store.runs import RunLog
from monitor.store.views import NoticeViews


class Store(OutcomeWrites, NoticeViews, CheckStore, RunLog):
    """Open (and migrate) a noticewatch database: `Store(path, removal_after=3)`."""
