"""Scrapy settings for noticewatch: polite to government servers by default.

`scrapy crawl nfcms -a start_url=…` and `noticewatch crawl` both start from this module; the monitor
overlays config.yaml's `defaults` (delay, retries, user agent) on top of it.
"""

BOT_NAME = "noticewatch"
SPIDER_MODULES = ["crawler.kinds"]
NEWSPIDER_MODULE = "crawler.kinds"

# An honest User-Agent: who we are and where to complain.
USER_AGENT = "noticewatch/0.1 (public-notice monitor; +https://github.com/noticewatch/noticewatch)"

# Politeness. The Zhuhai sites share one firewall that bans an IP for hours after bursts or retry
# storms (DESIGN.md "Anti-bot"), so: robots.txt, one request at a time per domain, >= 8 s apart.
ROBOTSTXT_OBEY = True
CONCURRENT_REQUESTS = 8
CONCURRENT_REQUESTS_PER_DOMAIN = 1
DOWNLOAD_DELAY = 8.0
DOWNLOAD_DELAY_JITTER = 0.25  # ±25%: never below 6 s with the default delay
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 8.0
AUTOTHROTTLE_MAX_DELAY = 60.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0
RETRY_ENABLED = True
RETRY_TIMES = 2
DOWNLOAD_TIMEOUT = 30
DOWNLOAD_MAXSIZE = 10 * 1024 * 1024
DOWNLOAD_WARNSIZE = 2 * 1024 * 1024
COOKIES_ENABLED = True

# Loopback (the bundled replica portal, tests, the demo) needs no politeness: requests to
# 127.0.0.0/8, ::1 and localhost go through their own download slot without the delay.
DOWNLOAD_SLOTS = {"loopback": {"delay": 0.0, "jitter": 0.0, "concurrency": 1}}
DOWNLOADER_MIDDLEWARES = {
    "crawler.politeness.LoopbackFastLane": 50,
}

# Scrapy 2.19 starts a localhost code-execution server and writes state files unless told not to;
# a monitor that runs for months wants neither, nor a telnet console.
REMOTE_CONTROL_ENABLED = False
TELNETCONSOLE_ENABLED = False
# The CLI and daemon configure logging once; a crawl must not reinstall the root handler.
LOG_INSTALL_ROOT_HANDLER = False
LOG_LEVEL = "INFO"

TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"
FEED_EXPORT_ENCODING = "utf-8"
HTTPCACHE_ENABLED = False
