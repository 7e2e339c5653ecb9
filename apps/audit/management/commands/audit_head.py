from django.core.management.base import BaseCommand, CommandError

from apps.audit.chain import head_signature_ok
from apps.audit.models import AuditChainHead


class Command(BaseCommand):
    help = (
        "Print the audit chain head (index, hash, HMAC) to keep outside the database; "
        "check it later with `verify_audit_chain --expect-head INDEX:HASH`."
    )

    def handle(self, *args, **options):
        head = AuditChainHead.objects.filter(pk=1).first()
        if head is None:
            raise CommandError("There is no audit chain head (run migrate).")
        self.stdout.write(f"index: {head.last_index}")
        self.stdout.write(f"hash: {head.last_hash}")
        self.stdout.write(f"hmac: {head.last_hmac}")
        self.stdout.write(f"expect-head: {head.last_index}:{head.last_hash}")
        if not head_signature_ok(head):
            raise CommandError(
                "The head's HMAC does not match AUDIT_HMAC_KEY: do not publish it; run verify_audit_chain."
            )
