"""The writes of this app (see ``apps/core/commands.py``)."""

from apps.core.commands import Command, register
from apps.inventory import policies
from apps.inventory.serializers import StockDocumentInput, StockDocumentSerializer
from apps.inventory.services import stock_document_create

STOCK_DOCUMENT_CREATE = register(
    Command(
        name="stock_document.create",
        input=StockDocumentInput,
        service=stock_document_create,
        output=StockDocumentSerializer,
        authorize=policies.stock_document_create_allowed,
    )
)
