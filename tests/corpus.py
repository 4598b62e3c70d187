"""The issue-15 corpus (tests/golden/corpus/*/*.yaml): load its cases, parse them, score the fields.

Shared by tests/test_parser_corpus.py (asserts the goal) and bench/accuracy.py (prints the table).
A case names its input (`<slug>.txt` or `.html` next to it), how to parse it (`via`) and the gold
fields (`expected`); a field is right when the parsed value equals the gold one — lists (phones,
emails, inspection_kind) compared as sets of values, since their order says nothing.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from crawler.notice import Notice
from crawler.parser import parse_bytes, parse_html, parse_text

CORPUS = Path(__file__).resolve().parent / "golden" / "corpus"
GOAL = 0.97  # issue 15: share of gold fields right


class CaseError(ValueError):
    """A corpus case that cannot be read (its YAML or input file is missing or malformed)."""


@dataclass(frozen=True)
class Case:
    path: Path  # the .yaml
    via: str
    input: Path
    url: str | None
    expected: dict[str, Any]

    @property
    def name(self) -> str:
        return f"{self.path.parent.name}/{self.path.stem}"

    @property
    def doc_type(self) -> str:
        return str(self.expected.get("doc_type"))


@dataclass(frozen=True)
class Miss:
    case: str
    field: str
    got: Any
    want: Any


@dataclass
class Score:
    """Fields right / total, by field and by the gold document type, plus each miss."""

    by_field: Counter = field(default_factory=Counter)
    by_field_total: Counter = field(default_factory=Counter)
    by_type: Counter = field(default_factory=Counter)
    by_type_total: Counter = field(default_factory=Counter)
    docs: Counter = field(default_factory=Counter)  # documents per gold type
    misses: list[Miss] = field(default_factory=list)
    cases: int = 0

    @property
    def right(self) -> int:
        return sum(self.by_field.values())

    @property
    def total(self) -> int:
        return sum(self.by_field_total.values())

    @property
    def accuracy(self) -> float:
        return self.right / self.total if self.total else 0.0


def load_case(path: Path) -> Case:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise CaseError(f"{path}: not valid YAML ({exc})") from exc
    if not isinstance(data, dict) or not isinstance(data.get("expected"), dict):
        raise CaseError(f"{path}: needs an `expected:` mapping of gold fields")
    name = data.get("input")
    if not name or not (path.parent / name).is_file():
        raise CaseError(f"{path}: input {name!r} is not a file next to it")
    via = data.get("via", "parse_text")
    if via not in ("parse_text", "parse_html", "parse_bytes"):
        raise CaseError(f"{path}: unknown via {via!r} (parse_text, parse_html, parse_bytes)")
    return Case(path, via, path.parent / name, data.get("url"), data["expected"])


def load_cases(folder: Path = CORPUS, broken: list[str] | None = None) -> list[Case]:
    """Every case; a case that cannot be read raises CaseError — or, given a `broken` list, is
    reported there (one line each) and left out."""
    cases = []
    for path in sorted(folder.glob("*/*.yaml")):
        try:
            cases.append(load_case(path))
        except CaseError as exc:
            if broken is None:
                raise
            broken.append(str(exc).splitlines()[0])
    return cases


def parse_case(case: Case) -> Notice:
    if case.via == "parse_text":
        return parse_text(case.input.read_text(encoding="utf-8"), url=case.url)
    if case.via == "parse_html":
        return parse_html(case.input.read_text(encoding="utf-8", errors="replace"), case.url)
    return parse_bytes(case.input.read_bytes(), case.url)


def same(got: Any, want: Any) -> bool:
    if isinstance(want, list) or isinstance(got, list):
        return sorted(map(str, got or [])) == sorted(map(str, want or []))
    return got == want


def score(cases: Iterable[Case]) -> Score:
    result = Score()
    for case in cases:
        result.cases += 1
        result.docs[case.doc_type] += 1
        got = parse_case(case).to_dict()
        for name, want in case.expected.items():
            if name not in got:
                raise CaseError(f"{case.path}: expected field {name!r} is not a notice field")
            ok = same(got[name], want)
            result.by_field_total[name] += 1
            result.by_type_total[case.doc_type] += 1
            if ok:
                result.by_field[name] += 1
                result.by_type[case.doc_type] += 1
            else:
                result.misses.append(Miss(case.name, name, got[name], want))
    return result


def table(result: Score) -> str:
    """The accuracy table (markdown): per field, per gold document type, overall."""
    rows = ["| field | right / total | accuracy |", "|---|---|---|"]
    for name in result.by_field_total:
        right, total = result.by_field[name], result.by_field_total[name]
        rows.append(f"| {name} | {right} / {total} | {right / total:.1%} |")
    rows += ["", "| document type (gold) | documents | fields right / total | accuracy |", "|---|---|---|---|"]
    for doc_type in sorted(result.by_type_total):
        right, total = result.by_type[doc_type], result.by_type_total[doc_type]
        rows.append(f"| {doc_type} | {result.docs[doc_type]} | {right} / {total} | {right / total:.1%} |")
    rows += ["", f"overall: {result.right} / {result.total} fields right = {result.accuracy:.1%} "
             f"on {result.cases} documents (goal ≥ {GOAL:.0%})"]
    return "\n".join(rows)
