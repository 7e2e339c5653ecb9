import re

from django.core import mail
from django.test import TestCase

PASSWORD = "blue-cylinder-77"


def invite(*, actor, customer, email: str, name: str = "") -> str:
    """Invite through the service, send the e-mail (on commit) and return the token from its link."""
    from apps.customers.services import contact_invite

    with TestCase.captureOnCommitCallbacks(execute=True):
        contact_invite(actor=actor, customer=customer, email=email, name=name)
    sent = [m for m in mail.outbox if email in m.to][-1]
    return re.search(r"token=([\w-]+)", sent.body).group(1)


def make_contact(world, customer, email: str):
    """A contact of ``customer`` who has set a password (through the services)."""
    from apps.customers.services import invite_accept

    token = invite(actor=world.users["supervisor"], customer=customer, email=email, name="Mdm Tan")
    return invite_accept(token=token, password=PASSWORD).user
