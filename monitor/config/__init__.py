"""config.yaml: read once, by one loader, into frozen dataclasses.

`loader.py` (sources, defaults, storage), `digest.py` (the digest section), `errors.py` (ConfigError,
the one error every check raises). May import crawler/ (the kind registry) and the pure top-level
modules (monitor.schedule); never the store, crawls, digests, daemon or CLI.
"""
