"""Delivering a rendered digest: to a file, a webhook (httpx POST of the JSON), or e-mail (smtplib).

Each `deliver_*` returns one line saying where it went, or raises DeliveryError with one line naming
the target and what to do. Secrets come from the environment variables a target names; they are
read here, at delivery time, from the `env` mapping given (os.environ by default).
"""

from __future__ import annotations

import os
import smtplib
import ssl
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

import httpx

from monitor.config.digest import EmailTarget, FileTarget, WebhookTarget

USER_AGENT = "noticewatch-digest/1"
RETRY_STATUS = frozenset({408, 425, 429, 500, 502, 503, 504})


class DeliveryError(RuntimeError):
    """A digest could not be delivered; one line naming the target and the cause."""


@dataclass(frozen=True)
class Payload:
    """A digest rendered for one target: the main body, its media type, and extras per transport."""

    body: str
    media_type: str
    subject: str = ""
    text: str = ""  # e-mail: the plain-text alternative
    name: str = "digest"  # file: the stem of the file name when the target is a folder
    extension: str = "html"
    sha256: str = ""


def deliver_file(target: FileTarget, payload: Payload) -> str:
    """Write the digest. A folder target gets one new file per digest; a file target is replaced
    atomically (written beside it, then renamed), so a reader never sees half a feed."""
    folder = target.folder or target.path.is_dir()
    path = target.path / f"{payload.name}.{payload.extension}" if folder else target.path
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(f".{path.name}.tmp")
        temporary.write_text(payload.body, encoding="utf-8")
        os.replace(temporary, path)
    except OSError as exc:
        raise DeliveryError(f"{target.id}: cannot write {path}: {exc.strerror or exc}") from None
    return f"wrote {path}"


def deliver_webhook(
    target: WebhookTarget,
    payload: Payload,
    env: Mapping[str, str] | None = None,
    sleep: Callable[[float], None] = time.sleep,
    transport: httpx.BaseTransport | None = None,
) -> str:
    """POST the JSON digest; retry connection errors, timeouts, 408/425/429 and 5xx up to
    `retries` more times with doubling delays. The X-Noticewatch-Digest header (the payload's
    SHA-256) lets a receiver drop a retried duplicate."""
    env = os.environ if env is None else env
    headers = {"content-type": f"{payload.media_type}; charset=utf-8", "user-agent": USER_AGENT,
               "x-noticewatch-digest": payload.sha256}
    for name, variable in target.headers_env.items():
        headers[name] = _secret(env, variable, target.id, f"headers_env.{name}")
    last = ""
    with httpx.Client(timeout=target.timeout, transport=transport, follow_redirects=False) as client:
        for attempt in range(target.retries + 1):
            if attempt:
                sleep(target.retry_delay * 2 ** (attempt - 1))
            try:
                response = client.post(target.url, content=payload.body.encode("utf-8"), headers=headers)
            except httpx.TransportError as exc:
                last = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
                continue
            if response.is_success:
                return f"POST {target.url} → HTTP {response.status_code}"
            last = f"HTTP {response.status_code}"
            if response.status_code not in RETRY_STATUS:
                break
    tries = f"{attempt + 1} tr{'ies' if attempt else 'y'}"
    raise DeliveryError(f"{target.id}: POST {target.url} failed after {tries}: {last}")


def deliver_email(target: EmailTarget, payload: Payload, env: Mapping[str, str] | None = None) -> str:
    """Send one multipart/alternative message (plain text, then HTML) to every address in `to`."""
    env = os.environ if env is None else env
    user = _secret(env, target.username_env, target.id, "username_env") if target.username_env else None
    password = _secret(env, target.password_env, target.id, "password_env") if target.password_env else None
    message = EmailMessage()
    message["Subject"] = payload.subject
    message["From"] = target.sender
    message["To"] = ", ".join(target.to)
    message["Date"] = formatdate(localtime=False, usegmt=True)
    message["Message-ID"] = make_msgid("digest", domain=target.sender.rsplit("@", 1)[-1])
    message.set_content(payload.text or payload.body)
    message.add_alternative(payload.body, subtype="html")
    where = f"{target.smtp_host}:{target.smtp_port}"
    try:
        context = ssl.create_default_context()
        if target.ssl:
            smtp: smtplib.SMTP = smtplib.SMTP_SSL(target.smtp_host, target.smtp_port, timeout=target.timeout,
                                                  context=context)
        else:
            smtp = smtplib.SMTP(target.smtp_host, target.smtp_port, timeout=target.timeout)
        with smtp:
            if target.starttls:
                smtp.starttls(context=context)
            if user is not None and password is not None:
                smtp.login(user, password)
            refused = smtp.send_message(message)
    except smtplib.SMTPAuthenticationError as exc:
        raise DeliveryError(f"{target.id}: {where} refused the login ({exc.smtp_code}); check "
                            f"{target.username_env} and {target.password_env}") from None
    except (smtplib.SMTPException, OSError) as exc:
        raise DeliveryError(f"{target.id}: sending via {where} failed: {_one_line(exc)}") from None
    if refused:
        raise DeliveryError(f"{target.id}: {where} refused {', '.join(sorted(refused))}")
    return f"mailed {', '.join(target.to)} via {where} ({message['Message-ID']})"


def _secret(env: Mapping[str, str], variable: str, target_id: str, key: str) -> str:
    value = env.get(variable)
    if not value:
        raise DeliveryError(f"{target_id}: environment variable {variable} is not set ({key}); export it "
                            "where noticewatch runs")
    return value


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text if len(text) < 200 else text[:199] + "…"

