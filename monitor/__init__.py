"""noticewatch's monitor: everything around the crawler/ Scrapy project.

Rooms, top to bottom (each may import only the ones below it; pyproject [tool.importlinter]):
cli → reader, cluster, daemon → digest, crawl → store → config → the pure modules here
(changes.py, window.py, schedule.py, since.py, logs.py). See docs/internals.md.
"""
