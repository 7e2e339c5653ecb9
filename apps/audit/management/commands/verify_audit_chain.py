from django.core.management.base import BaseCommand, CommandError

from apps.audit.chain import verify_chain


class Command(BaseCommand):
    help = "Walk the audit hash chain; name the first row altered, removed or inserted out of place."

    def add_arguments(self, parser):
        parser.add_argument("--all", action="store_true", help="List every break, not only the first.")

    def handle(self, *args, **options):
        report = verify_chain()
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
