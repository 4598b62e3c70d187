"""Scrapy settings for noticewatch: polite to government servers by default.

`scrapy crawl nfcms -a start_url=…` and `noticewatch crawl` both start from this module; the monitor
overlays config.yaml's `defaults` (delay, retries, user agent) on top of it.
"""

from crawler.politeness import keep_public_suffix_list_offline

keep_public_suffix_list_offline()  # see its docstring: Scrapy would fetch publicsuffix.org

BOT_NAME = "noticewatch"
SPIDER_MODULES = ["crawler.kinds"]
NEWSPIDER_MODULE = "crawler.kinds"

# An honest User-Agent: who we are and where to complain.
USER_AGENT = "noticewatch/0.1 (public-notice monitor; +https://github.com/noticewatch/noticewatch)"

# Politeness. The Zhuhai sites share one firewall that bans an IP for hours after bursts or retry
# storms (docs/portals.md "Anti-bot"), so: robots.txt, one request at a time per domain, >= 8 s apart.
ROBOTSTXT_OBEY = True
# A crawl is one source on one registered domain, so one request at a time in all: nothing is
# lost, and a pause (FailurePause) takes effect at once instead of after the queued requests.
CONCURRENT_REQUESTS = 1
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
# Only http(s) is fetched: a stray ftp://, s3:// or file:// URL fails at once (an ftp host that never
# answers would hold the crawl past every timeout; file:// would read the local disk).
DOWNLOAD_HANDLERS = {"ftp": None, "s3": None, "file": None, "data": None}

# One download slot per registered domain (crawler.politeness.DomainSlots). Loopback (the bundled
# replica portal, tests, the demo) needs no politeness: 127.0.0.0/8, ::1 and localhost go through
# their own slot without the delay.
DOWNLOAD_SLOTS = {"loopback": {"delay": 0.0, "jitter": 0.0, "concurrency": 1}}
DOWNLOADER_MIDDLEWARES = {
    # robots.txt as RFC 9309 reads it: a 5xx or no answer disallows, only the first 500 KiB parsed.
    "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": None,
    "crawler.robots.Rfc9309Robots": 100,
    "crawler.politeness.DomainSlots": 50,
    # Between RetryMiddleware (550) and the download: sees every attempt, retries included (not
    # the one resend of an unanswered idempotent POST, which ResendUnanswered makes below it).
    "crawler.politeness.FailurePause": 560,
    # Nearer the download still: an idempotent POST that got no answer (a keep-alive connection
    # closed as it was reused) is sent once more, neither a failure nor a retry (as Twisted does
    # for a GET).
    "crawler.politeness.ResendUnanswered": 570,
}
# Stop requesting a registered domain after this many consecutive errors / 403/412/429/5xx/521.
NOTICEWATCH_PAUSE_AFTER_FAILURES = 3

# Scrapy 2.19 starts a localhost code-execution server and writes state files unless told not to;
# a monitor that runs for months wants neither, nor a telnet console.
REMOTE_CONTROL_ENABLED = False
TELNETCONSOLE_ENABLED = False
# Spider middlewares that see every request a callback yields and do nothing we use: depth stats
# (no DEPTH_LIMIT; nothing reads meta["depth"]) and a developer warning about copied meta keys
# (follow_detail_redirect carries redirect_urls on purpose). HttpError, Referer and UrlLength stay.
SPIDER_MIDDLEWARES = {"scrapy.spidermiddlewares.depth.DepthMiddleware": None,
                      "scrapy.spidermiddlewares.metacopy.MetaCopyDetectionMiddleware": None}
# The CLI and daemon configure logging once; a crawl must not reinstall the root handler.
LOG_INSTALL_ROOT_HANDLER = False
LOG_LEVEL = "INFO"

TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"
FEED_EXPORT_ENCODING = "utf-8"
# Scrapy re-reads each callback's source to warn about `return` in generators, on every page when
# few requests are queued: measurable on every crawl (bench/crawl_bench.py). Our callbacks are tested.
WARN_ON_GENERATOR_RETURN_VALUE = False
HTTPCACHE_ENABLED = False
# Scrapy hands each callback's output to CONCURRENT_ITEMS asyncio workers, created anew for every
# response (100 tasks a page by default). Our pipeline is synchronous and a page yields at most a
# list page's links, so a few workers do the same work without ~100 task creations per page.
CONCURRENT_ITEMS = 4
# Detail pages are parsed in a worker process (crawler/parsepool.py), beside the downloading;
# False parses on the reactor thread.
NOTICEWATCH_PARSE_WORKER = True
