from django.core.management.base import BaseCommand, CommandError

from apps.audit.numbering import verify_numbering


class Command(BaseCommand):
    help = (
        "Check every numbering series (INV, CN, DIST, RCV, TRF ...): each counter's documents carry exactly "
        "1..current value; report missing, duplicate, truncated, beyond-the-counter and orphan numbers."
    )

    def handle(self, *args, **options):
        report = verify_numbering()
        if report.ok:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Numbering intact: {report.series_checked} series, {report.numbers_checked} numbers verified."
                )
            )
            return
        for problem in report.problems:
            self.stderr.write(str(problem))
        raise CommandError(
            f"Numbering broken: {len(report.problems)} problem(s) in {report.series_checked} series; "
            f"first: {report.problems[0]}"
        )
