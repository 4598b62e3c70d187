"""The `noticewatch` command line: click commands and terminal display only.

`main.py` holds the group, the shared options and the one-line error handling; each other module
registers its commands (crawl, sources, notices, digest, daemon, record, demo). The CLI may import
every room; nothing imports the CLI. Library code below it raises typed errors and never prints.
"""
