"""What validating an e-invoice costs (issue 24): every tax invoice and credit
note is checked at render time against the UBL 2.1 schema, our own PINT-SG
rules and the three official rule files run by Saxon (apps/einvoice).

The documents are the reviewed golden files (docs/einvoice/*.xml: invoices
with cylinders, a service, deposits and metered gas; credit notes full,
partial and of a deposit), validated round-robin N times (default 2,000) in
one process, each stage timed on its own, side by side with the ceiling:
parsing the document and writing it out again (ElementTree), the least any
check that reads it costs. The first use of the rule files (Saxon compiling
the three stylesheets) is timed in a fresh process. Resident memory is read
from /proc before Saxon, after its compile and after every 500 documents, so
growth over the run shows. No database: the documents are what the render
builds. Appends one block to BENCHMARKS.md.

    .venv/bin/python bench/einvoice.py [N]
"""

import json
import os
import platform
import statistics
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")

import django  # noqa: E402

django.setup()

from apps.einvoice import schematron  # noqa: E402
from apps.einvoice.validation import Doc, official_findings, rule_findings, schema_findings, validate  # noqa: E402

GOLDEN = sorted((ROOT / "docs" / "einvoice").glob("*.xml"))
SECTION = "## E-invoice validation (bench/einvoice.py)"


def rss_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def root_name(xml: bytes) -> str:
    return "CreditNote" if b"<CreditNote" in xml[:400] else "Invoice"


STEPS = {
    "ceiling": lambda xml, name: ET.tostring(ET.fromstring(xml)),  # noqa: S314  # our own golden files
    "xsd": schema_findings,
    "ours": lambda xml, name: rule_findings(Doc(ET.fromstring(xml))),  # noqa: S314
    "official": lambda xml, name: official_findings(xml),
    "whole": lambda xml, name: validate(xml),
}


def first_use() -> None:
    """Child mode: the first document's official check, compile included."""
    before = rss_mib()
    t0 = time.perf_counter()
    official_findings(GOLDEN[0].read_bytes())
    print(json.dumps({"seconds": time.perf_counter() - t0, "rss_before": before, "rss_after": rss_mib()}))


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    documents = [(path.name, path.read_bytes()) for path in GOLDEN]
    firsts = [json.loads(subprocess.run([sys.executable, __file__, "--first-use"], check=True, capture_output=True,
                                        text=True).stdout) for _ in range(3)]  # fmt: skip
    rss_start = rss_mib()
    schematron.assertions(documents[0][1])  # compiled here, outside the timings
    rss_compiled = rss_mib()
    for name, xml in documents:  # the golden files are valid: otherwise the figures mean nothing
        report = validate(xml)
        assert report.ok, (name, report.errors)
    times: dict[str, list[float]] = {stage: [] for stage in STEPS}
    rss_marks = []
    t_run = time.perf_counter()
    for i in range(n):
        _, xml = documents[i % len(documents)]
        name = root_name(xml)
        for stage, step in STEPS.items():
            t0 = time.perf_counter()
            step(xml, name)
            times[stage].append((time.perf_counter() - t0) * 1000)
        if (i + 1) % 500 == 0:
            rss_marks.append(round(rss_mib()))
    wall = time.perf_counter() - t_run
    lines = {name: xml.count(b"<cac:InvoiceLine>") + xml.count(b"<cac:CreditNoteLine>") for name, xml in documents}
    sizes = [len(xml) for _, xml in documents]
    ceiling = statistics.median(times["ceiling"])
    rows = [
        f"| {stage} | {statistics.median(times[stage]):.2f} | {percentile(times[stage], 95):.2f} | "
        f"{max(times[stage]):.2f} | {statistics.median(times[stage]) / ceiling:.0f}x |"
        for stage in STEPS
    ]
    now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    block = "\n".join(
        [
            "",
            f"### {now} — e-invoice validation per document (issue 24)",
            f"Machine: {platform.node() or 'vm'}, {os.cpu_count()} cores, {platform.system()} {platform.release()}, "
            f"Python {platform.python_version()}; saxonche {_version('saxonche')}, xmlschema "
            f"{_version('xmlschema')}. `bench/einvoice.py {n}`: the {len(documents)} golden documents "
            f"({min(sizes):,}-{max(sizes):,} bytes, {min(lines.values())}-{max(lines.values())} lines) round-robin, "
            f"{n:,} times, one process; ms per document.",
            "",
            "| stage | median ms | p95 ms | max ms | x ceiling |",
            "|---|---|---|---|---|",
            *rows,
            "",
            "ceiling: ElementTree parse + serialise of the document; xsd: OASIS UBL 2.1 schema (xmlschema); "
            "ours: the PINT-SG rules re-stated in `validation.py`; official: the PINT, PINT-SG and IRAS C5 "
            "rule files (Saxon, compiled); whole: `validate()` as the render calls it (all of them).",
            f"First use in a fresh process (Saxon compiles the three files, then checks one document), "
            f"3 runs: {', '.join(f'{f["seconds"]:.2f} s' for f in firsts)}; resident memory "
            f"{firsts[0]['rss_before']:.0f} -> {firsts[0]['rss_after']:.0f} MiB.",
            f"Resident memory in the run: {rss_start:.0f} MiB before Saxon, {rss_compiled:.0f} MiB compiled, "
            f"then every 500 documents: {', '.join(map(str, rss_marks))} MiB. Wall time {wall:.1f} s.",
            "",
        ]
    )
    print(block)
    path = ROOT / "BENCHMARKS.md"
    if SECTION not in path.read_text(encoding="utf-8"):
        block = f"\n{SECTION}\n" + block
    with open(path, "a", encoding="utf-8") as out:
        out.write(block)


def _version(name: str) -> str:
    from importlib.metadata import version

    return version(name)


if __name__ == "__main__":
    if sys.argv[1:] == ["--first-use"]:
        first_use()
    else:
        main()
