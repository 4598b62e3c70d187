"""The fault catalogue (replica/faults.py FAULTS): every kind of trouble a portal causes, on the first
list page and on detail pages (a stored notice and a new one), through a crawl and re-checks.
For each: the expected run problems (tests/fault_checks.py EXPECTED), no crash, no bogus notice,
nothing lost, no false event (bench/fault_trials.py runs the same trials with random targets)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from crawler.parser.decoding import ParseError, decode, looks_truncated
from replica.faults import FAULTS, HUGE_BYTES, LOGIN_PATH, Fault, fault, find_fault
from replica.server import ReplicaServer
from tests.fault_checks import EXPECTED, FaultLab, column, run_trial


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FaultLab]:
    """One replica column and its baseline DB for the module (each trial runs on a copy of it).

    Each (fault, target) trial is its own test — a crawl child process and some waiting (timeouts,
    drips) — so a run with pytest-xdist shares them out between its workers, and each trial has the
    whole per-test timeout (all 64 in one module fixture took more than it on a loaded machine)."""
    with ReplicaServer([column()]) as server:
        yield FaultLab(server, tmp_path_factory.mktemp("faults"))


@pytest.mark.parametrize("name", list(FAULTS))
def test_fault_on_the_first_list_page(lab: FaultLab, name: str) -> None:
    """An incremental crawl with the fault on list page 1: the expected problems and run status."""
    result = run_trial(lab, name, "list")
    assert result.survived, "\n".join(result.failures)
    assert (result.data_lost, result.false_events) == (0, 0)


@pytest.mark.parametrize("name", list(FAULTS))
def test_fault_on_a_stored_and_a_new_notice(lab: FaultLab, name: str) -> None:
    """One `--full` crawl with the fault on a stored notice's page and a new notice's page, then two
    re-checks: three fetches of the stored one, so a counted failure (gone, redirected, blocked)
    removes it on the third and a transient one never counts."""
    result = run_trial(lab, name, "detail")
    assert result.survived, "\n".join(result.failures)
    assert (result.data_lost, result.false_events) == (0, 0)


# -- the replica's faults themselves ----------------------------------------------------------


def test_the_catalogue_covers_the_issue() -> None:
    assert len(FAULTS) >= 20
    assert set(EXPECTED) == set(FAULTS)
    for name in ("refused", "reset_mid_body", "timeout", "slow_drip", "http_500", "http_502", "http_503",
                 "http_503_retry_after", "http_403", "http_404", "http_410", "challenge_412", "challenge_521",
                 "captcha", "login_redirect", "redirect_loop", "redirect_offsite", "empty_200",
                 "truncated_html", "gbk_as_utf8", "no_charset_gbk", "huge_10mb", "binary_as_html",
                 "zero_items", "malformed_html",
                 # issue 19: hostile templates and answers
                 "cookie_script", "deep_nesting", "tracking_links", "ftp_link", "bad_url_link", "pdf_answer",
                 "inflates_huge"):
        assert name in FAULTS
    assert fault("http_503", times=1) == Fault(status=503, times=1)
    with pytest.raises(KeyError, match="unknown fault"):
        fault("http_999")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"page": "docx"}, "unknown page"),
        ({"transform": "rot13"}, "unknown transform"),
        ({"wire": "pigeon"}, "unknown wire"),
        ({"status": 503, "transform": "truncate"}, "not status and transform"),
        ({"drip_seconds": -1}, "drip_seconds"),
    ],
)
def test_bad_faults_are_refused(kwargs: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        Fault(**kwargs)


@pytest.fixture(scope="module")
def served():
    with ReplicaServer([column()]) as server:
        site = server.sites[0]
        yield server, site, site.detail_url(site.newest_first()[0].post_id)


def _get(server: ReplicaServer, path: str, fault_: Fault | None, **kwargs: object) -> httpx.Response:
    server.faults.clear()
    if fault_ is not None:
        server.faults[path] = fault_
    try:
        return httpx.get(server.url(path), timeout=5, **kwargs)  # type: ignore[arg-type]
    finally:
        server.faults.clear()


def test_faults_are_selected_per_url(served) -> None:
    server, site, path = served
    faults = {path: FAULTS["http_404"], f"{site.column}content/*": FAULTS["http_503"]}
    assert find_fault(faults, path) == (path, FAULTS["http_404"])
    assert find_fault(faults, site.detail_url(1))[1] == FAULTS["http_503"]
    assert find_fault(faults, site.list_url(1)) is None
    server.faults.update(faults)
    try:
        assert httpx.get(server.url(path)).status_code == 404
        assert httpx.get(server.url(site.list_url(1))).status_code == 200
    finally:
        server.faults.clear()


def test_socket_faults(served) -> None:
    server, _, path = served
    normal = _get(server, path, None).content
    with pytest.raises(httpx.RemoteProtocolError):
        _get(server, path, FAULTS["refused"])
    with pytest.raises((httpx.ReadError, httpx.RemoteProtocolError)):
        _get(server, path, FAULTS["reset_mid_body"])
    start = time.monotonic()
    dripped = _get(server, path, FAULTS["slow_drip"])
    assert time.monotonic() - start >= 0.8 * FAULTS["slow_drip"].drip_seconds
    assert len(dripped.content) == len(normal)  # same page (its view counter aside)
    with pytest.raises(httpx.ReadTimeout):
        server.faults[path] = FAULTS["timeout"]
        try:
            httpx.get(server.url(path), timeout=0.5)
        finally:
            server.faults.clear()


def test_status_redirect_and_page_faults(served) -> None:
    server, _, path = served
    unavailable = _get(server, path, FAULTS["http_503_retry_after"])
    assert (unavailable.status_code, unavailable.headers["retry-after"]) == (503, "3600")
    assert "retry-after" not in _get(server, path, FAULTS["http_503"]).headers
    login = _get(server, path, FAULTS["login_redirect"], follow_redirects=True)
    assert login.url.path == LOGIN_PATH and "统一身份认证" in login.text
    server.faults[path] = FAULTS["redirect_loop"]
    try:
        with pytest.raises(httpx.TooManyRedirects):
            with httpx.Client(max_redirects=4) as client:
                client.get(server.url(path), follow_redirects=True)
    finally:
        server.faults.clear()
    offsite = _get(server, path, FAULTS["redirect_offsite"])
    assert offsite.status_code == 302 and offsite.headers["location"].startswith("http://portal-moved.invalid/")
    empty = _get(server, path, FAULTS["empty_200"])
    assert (empty.status_code, empty.content) == (200, b"")
    binary = _get(server, path, FAULTS["binary_as_html"])
    assert binary.headers["content-type"].startswith("text/html")
    with pytest.raises(ParseError):
        decode(binary.content, binary.headers["content-type"])


def test_transformed_pages(served) -> None:
    server, site, path = served
    normal = _get(server, path, None)
    text = normal.text
    gbk = _get(server, path, FAULTS["gbk_as_utf8"])
    assert gbk.headers["content-type"] == "text/html; charset=utf-8"
    notice = site.newest_first()[0]
    assert notice.title in gbk.content.decode("gb18030") and notice.paragraphs[-1] in gbk.content.decode("gb18030")
    with pytest.raises(UnicodeDecodeError):
        gbk.content.decode("utf-8")
    bare = _get(server, path, FAULTS["no_charset_gbk"])
    assert "charset" not in bare.headers["content-type"] and b"charset" not in bare.content.lower()
    truncated = _get(server, path, FAULTS["truncated_html"])
    assert len(truncated.content) < len(normal.content) and looks_truncated(truncated.content.decode("utf-8", "replace"))
    assert not looks_truncated(text)
    huge = _get(server, path, FAULTS["huge_10mb"])
    assert len(huge.content) >= HUGE_BYTES > 10 * 1024 * 1024
    malformed = _get(server, path, FAULTS["malformed_html"])
    assert "</p>" not in malformed.text and malformed.content.startswith(b"\xef\xbb\xbf")
    # A changed body has no validators: a client holding the real page's ETag gets it in full.
    for name in ("gbk_as_utf8", "truncated_html", "malformed_html"):
        response = _get(server, path, FAULTS[name], headers={"If-None-Match": normal.headers["etag"]})
        assert response.status_code == 200 and "etag" not in response.headers
    listing = _get(server, site.list_url(1), FAULTS["zero_items"])
    assert listing.status_code == 200 and "post_" not in listing.text and "</html>" in listing.text


def test_times_limits_a_catalogue_fault(served) -> None:
    server, _, path = served
    server.faults[path] = fault("reset_mid_body", times=1)
    try:
        with pytest.raises((httpx.ReadError, httpx.RemoteProtocolError)):
            httpx.get(server.url(path))
        assert httpx.get(server.url(path)).status_code == 200
    finally:
        server.faults.clear()


def test_truncation_is_judged_on_documents_only() -> None:
    assert looks_truncated("<html><body><p>公开期限:2024年9月26日至")
    assert not looks_truncated("<html><body><p>完</p></body></html>\n")
    # Closing tags are optional in HTML: a complete page without them is not "cut off".
    assert not looks_truncated("<html><head><title>t</title><body><div id=zoomcon><p>完</p></div>\n")
    assert not looks_truncated("<HTML><BODY>完</BODY>")  # </html> left out: the body was closed
    assert not looks_truncated("<p>a fragment</p>")
    assert not looks_truncated("公开期限:2024年9月26日至10月25日")


def test_fault_trials_script_exists() -> None:
    assert (Path(__file__).resolve().parent.parent / "bench" / "fault_trials.py").exists()
