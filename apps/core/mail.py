"""What every e-mail the system sends has in common."""

from email.utils import make_msgid

from django.conf import settings


def new_message_id(kind: str) -> str:
    """A Message-ID for a recorded e-mail, given on its first attempt and kept
    for every later one: SMTP leaves one window (a worker killed after the mail
    server took the message and before SENT was recorded) in which the same
    e-mail is handed over again, and the receiving server and mail clients take
    a message with a Message-ID they have seen as the same message."""
    domain = settings.DEFAULT_FROM_EMAIL.rpartition("@")[2].strip(" >") or "localhost"
    return make_msgid(f"lpg-{kind}", domain=domain)
