"""The `digest:` config section: the documented example parses; mistakes are one line naming the key."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from monitor.config.digest import DigestConfig, EmailTarget, FileTarget, WebhookTarget, parse_digest_config
from monitor.config.errors import ConfigError

DOCS = Path(__file__).resolve().parent.parent / "docs" / "digests.md"


def documented_example() -> dict:
    text = DOCS.read_text(encoding="utf-8")
    block = re.search(r"```yaml\n(digest:.*?)```", text, re.S)
    assert block, "docs/digests.md: no ```yaml digest: example"
    return yaml.safe_load(block[1])


def test_documented_example_parses(tmp_path: Path) -> None:
    config = parse_digest_config(documented_example()["digest"], "config.yaml: digest", tmp_path / "config.yaml")
    assert config.closing_soon_days == 3 and config.silent_after_days == 14
    kinds = {t.id: type(t) for t in config.targets}
    assert kinds == {"archive": FileTarget, "feed": FileTarget, "newsroom-hook": WebhookTarget,
                     "team-mail": EmailTarget}
    archive = config.target("archive")
    assert isinstance(archive, FileTarget) and archive.folder and archive.path == tmp_path / "digests"
    mail = config.target("team-mail")
    assert isinstance(mail, EmailTarget) and mail.starttls and mail.username_env == "NW_SMTP_USER"


def test_absent_section_is_defaults() -> None:
    assert parse_digest_config(None, "c: digest") == DigestConfig()
    assert parse_digest_config({}, "c: digest") == DigestConfig()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"closing_soon": 3}, "c: digest: unknown key 'closing_soon' (valid: closing_soon_days, silent_after_days,"),
        ({"closing_soon_days": -1}, "c: digest: closing_soon_days: expected a whole number >= 0, got -1"),
        ({"targets": {}}, "c: digest: targets: expected a list of targets, got dict"),
        ({"targets": [{"id": "x", "type": "sms"}]}, "c: digest: targets[x]: unknown type 'sms' (valid: file, webhook, email)"),
        ({"targets": [{"id": "x", "type": "file", "path": "d/", "format": "pdf"}]},
         "c: digest: targets[x]: format: unknown format 'pdf' (valid: md, html, json, atom)"),
        ({"targets": [{"id": "h", "type": "webhook", "url": "ftp://x"}]}, "c: digest: targets[h]: url: 'ftp://x' is not"),
        ({"targets": [{"id": "h", "type": "webhook", "url": "https://x", "retry": 2}]},
         "c: digest: targets[h]: unknown key 'retry' (valid: id, type, url, timeout, retries,"),
        ({"targets": [{"id": "m", "type": "email", "to": "a@b", "from": "c@d", "smtp_host": "h",
                       "password": "x"}]}, "c: digest: targets[m]: unknown key 'password' (valid:"),
        ({"targets": [{"id": "m", "type": "email", "to": "a@b", "from": "c@d", "smtp_host": "h",
                       "username_env": "U"}]}, "give both username_env and password_env"),
        ({"targets": [{"id": "m", "type": "email", "to": ["nobody"], "from": "c@d", "smtp_host": "h"}]},
         "c: digest: targets[m]: to: 'nobody' is not an e-mail address"),
        ({"targets": [{"id": "h", "type": "webhook", "url": "https://x", "headers_env": {"A": "not a name"}}]},
         "headers_env.A: expected the NAME of an environment variable"),
        ({"targets": [{"id": "a", "type": "file", "path": "x"}, {"id": "a", "type": "file", "path": "y"}]},
         "c: digest: targets[a]: duplicate id 'a'"),
        ({"targets": [{"type": "file", "path": "x"}]}, "c: digest: targets[0]: missing key 'id'"),
    ],
)
def test_errors_name_the_place(data: dict, message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_digest_config(data, "c: digest")
    text = str(caught.value)
    assert message in text and "\n" not in text


def test_unknown_target_lists_known() -> None:
    config = parse_digest_config({"targets": [{"id": "a", "type": "file", "path": "x"}]}, "c: digest")
    with pytest.raises(ConfigError, match=r"no target with id 'b' \(known: a\)"):
        config.target("b")
