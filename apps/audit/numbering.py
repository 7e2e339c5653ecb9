"""Gap check of every numbering series (issue 17).

Each ``billing.Sequence`` row (``invoice/2026``, ``credit_note/2026``,
``distribution/2026-01-19``, ``stock/RCV/2026`` ...) hands out 1, 2, 3 ... in
the transaction of the document that takes the number, so the documents of a
series must carry exactly ``format(1) .. format(current_value)``: no number
missing, none twice, none beyond the counter, and none without a series.
Documents are found in every model with a ``number`` field (invoices, credit
notes, distributions, stock documents, and any later numbered model), so a
new series is checked without registering it here.

What it catches: a document deleted (a missing number), the newest documents
deleted or a table truncated (the counter above the highest number found), a
counter rewound (numbers beyond it), a counter row deleted (numbers without a
series)."""

import re
from collections import Counter, defaultdict
from dataclasses import dataclass

from django.apps import apps
from django.db import models

_NUMBER = re.compile(r"(.*?)(\d+)")


@dataclass(frozen=True)
class NumberingProblem:
    series: str
    kind: str  # missing | duplicate | beyond | truncated | orphan | format
    detail: str

    def __str__(self) -> str:
        return f"{self.series}: {self.kind}: {self.detail}"


@dataclass(frozen=True)
class NumberingReport:
    series_checked: int
    numbers_checked: int
    problems: list[NumberingProblem]

    @property
    def ok(self) -> bool:
        return not self.problems


def numbered_fields() -> list[tuple[type[models.Model], str]]:
    """Every (model, "number") whose documents are numbered by a Sequence."""
    found = []
    for model in apps.get_models():
        if model._meta.proxy:  # the same table as its concrete model: counted there once
            continue
        field = next((f for f in model._meta.concrete_fields if f.name == "number"), None)
        if isinstance(field, models.CharField):
            found.append((model, "number"))
    return found


def _prefix(format_string: str) -> str | None:
    """``INV-2026-{value:06d}`` -> ``INV-2026-``; None for a format that does not end with the value."""
    match = re.fullmatch(r"(.*?)\{value(?::[^}]*)?\}", format_string)
    return match.group(1) if match else None


def _ranges(values: list[int], limit: int = 10) -> str:
    spans: list[tuple[int, int]] = []
    start: int | None = None
    prev = 0
    for v in values:
        if start is None:
            start = prev = v
        elif v == prev + 1:
            prev = v
        else:
            spans.append((start, prev))
            start = prev = v
    if start is not None:
        spans.append((start, prev))
    text = ", ".join(f"{a}" if a == b else f"{a}..{b}" for a, b in spans[:limit])
    return text + (f" and {len(spans) - limit} more" if len(spans) > limit else "")


def verify_numbering() -> NumberingReport:
    from apps.core.models import Sequence

    # Counters are read before and after the documents: a document committed
    # meanwhile is then neither "missing" (first read) nor "beyond" (second).
    first = {s.slug: (s.current_value, s.format_string) for s in Sequence.objects.all()}
    problems: list[NumberingProblem] = []
    by_prefix: dict[str, str] = {}
    for slug, (_, fmt) in first.items():
        prefix = _prefix(fmt)
        if prefix is None:
            problems.append(NumberingProblem(slug, "format", f"format {fmt!r} does not end with the number"))
        else:
            by_prefix[prefix] = slug

    counts: dict[str, Counter] = defaultdict(Counter)
    orphans: dict[str, list[str]] = defaultdict(list)
    checked = 0
    for model, field in numbered_fields():
        numbers = (
            model._base_manager.exclude(**{f"{field}__isnull": True})
            .exclude(**{field: ""})
            .values_list(field, flat=True)
        )
        for number in numbers.iterator(chunk_size=5000):
            checked += 1
            match = _NUMBER.fullmatch(number)
            series = by_prefix.get(match.group(1)) if match else None
            if match is None or series is None:
                orphans[f"{model._meta.label}:{match.group(1) if match else number}"].append(number)
            else:
                counts[series][int(match.group(2))] += 1
    second = dict(Sequence.objects.values_list("slug", "current_value"))

    for slug, (value, fmt) in sorted(first.items()):
        found = counts.get(slug, Counter())
        label = f"{slug} ({fmt.format(value=1)} ..)"
        dups = sorted(v for v, c in found.items() if c > 1)
        if dups:
            problems.append(NumberingProblem(label, "duplicate", f"number(s) {_ranges(dups)} issued more than once"))
        beyond = sorted(v for v in found if v > second.get(slug, value))
        if beyond:
            problems.append(
                NumberingProblem(
                    label,
                    "beyond",
                    f"number(s) {_ranges(beyond)} above the counter ({second.get(slug, value)}): the counter was "
                    "rewound or a document forged",
                )  # fmt: skip
            )
        top = max((v for v in found if v <= value), default=0)
        missing = [v for v in range(1, top) if v not in found]
        if missing:
            problems.append(
                NumberingProblem(label, "missing", f"number(s) {_ranges(missing)} missing: documents deleted")
            )
        if value > top:
            tail = "no document at all" if not top else f"the highest found is {fmt.format(value=top)}"
            problems.append(
                NumberingProblem(
                    label,
                    "truncated",
                    f"the counter is at {fmt.format(value=value)} but {tail}: {value - top} number(s) at the end "
                    "missing (documents deleted or the table truncated)",
                )  # fmt: skip
            )
    for where, orphan_numbers in sorted(orphans.items()):
        problems.append(
            NumberingProblem(
                where,
                "orphan",
                f"{len(orphan_numbers)} number(s) without a counter (e.g. {orphan_numbers[0]}): the sequence row was "
                "removed",
            )  # fmt: skip
        )
    return NumberingReport(series_checked=len(first), numbers_checked=checked, problems=problems)
