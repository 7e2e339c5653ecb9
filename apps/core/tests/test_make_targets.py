"""Every `make <target>` the README and the docs tell a user to run exists:
a rule in the Makefile (or the frontend fragment it includes), and `make -n`
accepts it. A documented command cannot silently disappear again (prod-up,
prod-down and prod-status once did)."""

import re
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
DOCS = [ROOT / "README.md", ROOT / "frontend" / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
MAKEFILES = [ROOT / "Makefile", ROOT / "frontend" / "frontend.mk"]
# `make X` in inline code, or a line of a fenced block that starts with it
DOCUMENTED = re.compile(r"`make ([a-z][\w-]*)|^\s*make ([a-z][\w-]*)", re.MULTILINE)
RULE = re.compile(r"^([\w./$()-][\w./$() -]*):(?!=)", re.MULTILINE)


def documented() -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for doc in DOCS:
        for match in DOCUMENTED.finditer(doc.read_text(encoding="utf-8")):
            target = match.group(1) or match.group(2)
            found.setdefault(target, []).append(doc.relative_to(ROOT).as_posix())
    return found


def rules() -> set[str]:
    names: set[str] = set()
    for makefile in MAKEFILES:
        for match in RULE.finditer(makefile.read_text(encoding="utf-8")):
            names.update(match.group(1).split())
    return names


def test_the_docs_name_make_targets_at_all():
    assert {"run", "test", "prod-up", "prod-down", "prod-status", "bench"} <= set(documented())


@pytest.mark.parametrize("target", sorted(documented()))
def test_every_documented_make_target_has_a_rule(target):
    assert target in rules(), f"`make {target}` is documented in {documented()[target]} but the Makefile has no rule"


def test_make_dry_runs_every_documented_target():
    for target in sorted(documented()):
        out = subprocess.run(
            ["make", "-n", "--no-print-directory", target], cwd=ROOT, capture_output=True, text=True, timeout=60
        )
        assert out.returncode == 0, (target, out.stderr[-500:])
