import re

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from apps.audit.chain import verify_chain
from apps.audit.triggers import guard_problems


def expected_head(value: str) -> tuple[int, str] | None:
    match = re.fullmatch(r"\s*(\d+):([0-9a-fA-F]{64})?\s*", value or "")
    if not match or (int(match.group(1)) > 0) != bool(match.group(2)):
        raise CommandError("--expect-head takes INDEX:HASH, as printed by `manage.py audit_head`.")
    if int(match.group(1)) == 0:
        return None  # an empty chain was published: every chain extends it
    return int(match.group(1)), match.group(2).lower()


class Command(BaseCommand):
    help = (
        "Walk the audit hash chain; name the first row altered, removed or inserted out of place, a rewound, "
        "truncated or unsigned head, rows left unsealed longer than AUDIT_SEAL_MAX_DELAY, and (with "
        "--expect-head) a chain that no longer holds a published head."
    )

    def add_arguments(self, parser):
        parser.add_argument("--all", action="store_true", help="List every break, not only the first.")
        parser.add_argument(
            "--expect-head",
            metavar="INDEX:HASH",
            help="A head published earlier (log line or `audit_head`): the chain must still hold it.",
        )

    def handle(self, *args, **options):
        anchor = expected_head(options["expect_head"]) if options["expect_head"] else None
        report = verify_chain(expect_head=anchor)
        for problem in guard_problems(connection):  # reported, not fatal: migrate puts them back
            self.stderr.write(f"warning: append-only guard: {problem}")
        if report.max_seal_delay_seconds is not None:
            self.stdout.write(f"Sealing delay: at most {report.max_seal_delay_seconds:.3f} s per row.")
        if report.unsealed:
            ids = ", ".join(f"#{pk}" for pk in report.unsealed[:20]) + (" ..." if len(report.unsealed) > 20 else "")
            self.stdout.write(
                f"Not sealed yet: {len(report.unsealed)} row(s), oldest {report.oldest_unsealed_seconds:.1f} s: {ids} "
                "(`manage.py seal_audit` seals them now)."
            )
        if report.ok:
            self.stdout.write(self.style.SUCCESS(f"Audit chain intact: {report.rows_checked} rows verified."))
            return
        shown = report.problems if options["all"] else report.problems[:1]
        for problem in shown:
            self.stderr.write(str(problem))
        raise CommandError(
            f"Audit chain broken: first break at {report.first}; "
            f"{len(report.problems)} problem(s) in {report.rows_checked} rows."
        )
