"""Change digests: building one from events (`build.py`, `words.py`, `sources.py`), rendering it
(`render/`: terminal, markdown, html, json, atom), delivering it (`delivery.py`: file, webhook,
e-mail) and the run that ties them with the watermark (`run.py`).

May import the store, the config and the pure top-level modules; never crawls, the daemon or the CLI.
"""
