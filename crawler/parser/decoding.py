"""Bytes → text: explicit encoding > HTTP charset > <meta charset> > UTF-8 > detection.

GB2312/GBK labels are read as GB18030, its superset: real "gb2312" pages use GBK-only characters, and
a strict gb2312 decode of them fails (same pitfall as httpx, docs/portals.md).
"""

from __future__ import annotations

import codecs
import re

_SUPERSETS = {
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "x-gbk": "gb18030",
    "cp936": "gb18030",
    "gb_2312-80": "gb18030",
}
_HTTP_CHARSET_RE = re.compile(r"charset\s*=\s*[\"']?([\w.:-]+)", re.IGNORECASE)
_META_CHARSET_RE = re.compile(rb"<meta[^>]+charset\s*=\s*[\"']?\s*([\w.:-]+)", re.IGNORECASE)
_HTML_RE = re.compile(
    r"<\s*(?:!doctype\s+html|html|head|body|meta|title|div|p|table|span|a)\b[^>]*>", re.IGNORECASE
)
# Control characters other than \t \n \v \f \r: what binary data decodes to.
_CONTROL_BYTES = bytes([*range(0x00, 0x09), *range(0x0E, 0x20)])
_BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))


class ParseError(ValueError):
    """The input cannot be read as a notice at all (e.g. binary data)."""


def codec_name(label: str | None) -> str | None:
    """A Python codec for a charset label, superset-mapped; None if unknown."""
    if not label:
        return None
    label = label.strip().strip("\"'").lower()
    label = _SUPERSETS.get(label, label)
    try:
        info = codecs.lookup(label)
    except LookupError:
        return None
    # rot13, base64, zlib … are codecs too, but not of bytes to text: bytes.decode refuses them.
    return info.name if getattr(info, "_is_text_encoding", True) else None


def _try(data: bytes, codec: str | None) -> str | None:
    if codec is None:
        return None
    try:
        return data.decode(codec)
    except (UnicodeDecodeError, LookupError):
        return None


def _looks_binary(text: str) -> bool:
    head = text[:4096]
    # In UTF-8 a control character is one byte, and no byte of another character is below 0x80:
    # deleting those bytes counts them at C speed (a regex or a generator visits every character).
    encoded = head.encode("utf-8", "surrogatepass")
    controls = len(encoded) - len(encoded.translate(None, _CONTROL_BYTES))
    return controls > max(2, len(head) // 100)


def decode(data: bytes, content_type: str | None = None, encoding: str | None = None) -> str:
    """`data` as text; raises ParseError when no charset gives text (binary data)."""
    if not data:
        return ""
    explicit = codec_name(encoding)
    if explicit:
        return data.decode(explicit, errors="replace")
    http = _HTTP_CHARSET_RE.search(content_type or "")
    meta = _META_CHARSET_RE.search(data[:4096])
    bom = next((codec for mark, codec in _BOMS if data.startswith(mark)), None)
    candidates = (
        bom,
        codec_name(http[1]) if http else None,
        codec_name(meta[1].decode("ascii", "replace")) if meta else None,
        "utf-8",
    )
    for codec in candidates:
        text = _try(data, codec)
        if text is not None and not _looks_binary(text):
            return text
    import charset_normalizer  # only for pages no declared charset reads: spares start-up ~10 ms

    best = charset_normalizer.from_bytes(data).best()
    text = str(best) if best is not None else None
    if text is None or _looks_binary(text):
        # A page with a few broken bytes (mixed encodings, a truncated multi-byte character) is
        # still a page: read it with its declared (or UTF-8) charset, broken bytes replaced.
        declared = next((c for c in candidates if c), "utf-8")
        lenient = data.decode(declared, errors="replace")
        if looks_like_html(lenient) and not _looks_binary(lenient):
            return lenient
        raise ParseError(f"cannot decode {len(data)} bytes as text: no charset fits (binary data?)")
    return _try(data, codec_name(best.encoding)) or text


def looks_like_html(text: str) -> bool:
    return bool(_HTML_RE.search(text[:8192]))


_OPENS_DOCUMENT = re.compile(r"<\s*(?:html|body)\b", re.IGNORECASE)
_CLOSES_DOCUMENT = re.compile(r"<\s*/\s*(?:html|body)\s*>", re.IGNORECASE)


def looks_truncated(text: str) -> bool:
    """An HTML document that opens <html>/<body>, closes neither, and stops mid-text or mid-tag:
    the page was cut off (a CMS that died mid-render, a cache that kept half a page). A complete
    page that merely omits its closing tags (legal HTML) ends with a tag and is not judged cut;
    fragments without <html>/<body> are not judged."""
    return (
        bool(_OPENS_DOCUMENT.search(text[:65536]))
        and not _CLOSES_DOCUMENT.search(text)
        and not text.rstrip().endswith(">")
    )
