"""The store: one SQLite file holding current state, versions, runs and events.

`Store` is the connection (monitor/store/connection.py) with its three jobs: writing crawl outcomes
(outcomes.py), reading for views (views.py), and keeping sources and runs (runs.py).
"""

from __future__ import annotations

from monitor.store.outcomes import OutcomeWrites
from monitor.store.runs import RunLog
from monitor.store.views import NoticeViews


class Store(OutcomeWrites, NoticeViews, RunLog):
    """Open (and migrate) a noticewatch database: `Store(path, removal_after=3)`."""
