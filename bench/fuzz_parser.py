"""Fuzz the parser: ≥ 100,000 generated inputs (mutated real pages, tag soup, random bytes and text)
through parse_bytes / parse_html / parse_text. Nothing may escape but ParseError (binary input to
parse_bytes), and every date field must be a valid ISO date or null. Prints one table.

    .venv/bin/python bench/fuzz_parser.py [--inputs 100000] [--seed 7]
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import sys
import time
import traceback
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from crawler.parser import ParseError, parse_bytes, parse_html, parse_text  # noqa: E402
from replica.generator import generate_notices  # noqa: E402
from replica.server import ReplicaServer  # noqa: E402
from replica.sites import build_demo_sites  # noqa: E402

DATE_FIELDS = ("published_at", "inspection_start", "inspection_end", "feedback_date", "disclosure_start",
               "disclosure_end", "signed_date")
SNIPPETS = ["公开期限:", "2024年9月26日至10月25日", "二〇二四年九月", "上旬", "下旬至", "省委第巡视组", "市委第十一巡察组",
            "联系电话:", "0756-", "邮政编码", "@zhuhai.gov.cn", "<p>", "</div>", "<script>", "<!--", "]]>", "\x00",
            "予以公布", "报告如下", "(一)", "一、", "1.", "一是", "為期15天", "5个工作日", "自2024年", "起至", "\ufeff"]


def seed_pages() -> list[bytes]:
    """Real page shapes: the demo replica's list and detail pages, fetched over loopback."""
    from urllib.request import urlopen

    pages = []
    with ReplicaServer(build_demo_sites()) as server:
        for site in server.sites:
            for notice in site.notices[:10]:
                with urlopen(server.url(site.detail_url(notice.post_id))) as response:
                    pages.append(response.read())
            with urlopen(server.url(site.list_url(1))) as response:
                pages.append(response.read())
    return pages


def mutate(rng: random.Random, page: bytes) -> bytes:
    data = bytearray(page)
    for _ in range(rng.randint(1, 8)):
        choice = rng.random()
        at = rng.randrange(len(data) + 1)
        if choice < 0.25 and data:
            del data[at : at + rng.randint(1, 400)]
        elif choice < 0.5:
            data[at:at] = rng.choice(SNIPPETS).encode(rng.choice(["utf-8", "gb18030", "big5"]), "replace")
        elif choice < 0.65 and data:
            data[at % len(data)] = rng.randrange(256)
        elif choice < 0.8:
            data = data[: rng.randrange(len(data) + 1)]  # truncated body
        else:
            data[at:at] = (b"<div>" * rng.randint(1, 300)) + (b"</span>" * rng.randint(0, 50))
    return bytes(data)


def random_text(rng: random.Random) -> str:
    alphabet = "".join(SNIPPETS) + "年月日至巡视组整改通报0123456789〇一二三四五六七八九十上中下旬,。;:()\n "
    return "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 600)))


def check(notice) -> list[str]:
    bad = []
    for name in DATE_FIELDS:
        value = getattr(notice, name)
        if value is not None:
            try:
                dt.date.fromisoformat(value)
            except (TypeError, ValueError):
                bad.append(f"{name}={value!r}")
    return bad


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--inputs", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    pages = seed_pages() + ["\n".join(n.paragraphs).encode() for n in generate_notices(20, seed=3)]
    counts: Counter[str] = Counter()
    escapes: list[str] = []
    started = time.perf_counter()
    for index in range(args.inputs):
        kind = ("mutated page", "random bytes", "random text", "mutated page as text")[index % 4]
        try:
            if kind == "mutated page":
                notice = parse_bytes(mutate(rng, rng.choice(pages)), "http://127.0.0.1/x/content/post_1.html")
            elif kind == "random bytes":
                notice = parse_bytes(rng.randbytes(rng.randint(0, 2000)))
            elif kind == "random text":
                notice = parse_text(random_text(rng))
            else:
                text = mutate(rng, rng.choice(pages)).decode("utf-8", "replace")
                notice = parse_html(text) if rng.random() < 0.5 else parse_text(text)
            bad = check(notice)
            counts["invalid date"] += bool(bad)
            if bad:
                escapes.append(f"{kind}: invalid {', '.join(bad)}")
        except ParseError:
            counts["ParseError (binary)"] += 1
        except Exception:  # noqa: BLE001 - counting what escapes is the point
            counts["exception escaped"] += 1
            escapes.append(f"{kind}: {traceback.format_exc(limit=2).splitlines()[-1]}")
        counts[kind] += 1
    seconds = time.perf_counter() - started
    print(f"{'inputs':<28}{args.inputs:>10}")
    for kind in ("mutated page", "random bytes", "random text", "mutated page as text"):
        print(f"  {kind:<26}{counts[kind]:>10}")
    print(f"{'ParseError (binary input)':<28}{counts['ParseError (binary)']:>10}")
    print(f"{'exceptions escaped':<28}{counts['exception escaped']:>10}")
    print(f"{'invalid dates':<28}{counts['invalid date']:>10}")
    print(f"{'seconds':<28}{seconds:>10.1f}")
    for line in escapes[:20]:
        print("  " + line)
    sys.exit(1 if escapes else 0)


if __name__ == "__main__":
    main()
