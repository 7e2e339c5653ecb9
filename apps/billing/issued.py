"""Who hears of a new tax document once its transaction has committed.

Billing sits below the apps that act on its documents (e-invoicing), so it
cannot call them; they register a listener here at start-up
(``AppConfig.ready``) and billing calls ``document_issued`` in the
document's transaction. Each listener runs after commit (never inside the
locked section, never for a rolled-back number) with the document's kind,
id and customer; it only queues work (a Celery task), it decides nothing
for billing."""

from collections.abc import Callable
from functools import partial

from django.db import transaction

INVOICE = "invoice"
CREDIT_NOTE = "credit_note"

Listener = Callable[[str, int, int], None]  # (kind, document id, customer id)
_listeners: list[Listener] = []


def on_document_issued(listener: Listener) -> None:
    if listener not in _listeners:
        _listeners.append(listener)


def notify_listeners(kind: str, document_id: int, customer_id: int) -> None:
    """The one after-commit callback of a document: every listener in turn."""
    for listener in list(_listeners):
        listener(kind, document_id, customer_id)


def document_issued(*, kind: str, document_id: int, customer_id: int) -> None:
    if _listeners:
        transaction.on_commit(partial(notify_listeners, kind, document_id, customer_id))


def is_issued_callback(callback: object) -> bool:
    """For tests that count the after-commit callbacks of a document."""
    return isinstance(callback, partial) and callback.func is notify_listeners
