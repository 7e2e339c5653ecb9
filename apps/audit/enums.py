from django.db import models


class AuditAction(models.TextChoices):
    LOGIN_SUCCEEDED = "auth.login_succeeded"
    LOGIN_FAILED = "auth.login_failed"
    LOGIN_THROTTLED = "auth.login_throttled"
    LOGOUT = "auth.logout"
    PASSWORD_CHANGED = "auth.password_changed"
    USER_DEACTIVATED = "auth.user_deactivated"
    API_REQUEST = "api.request"
    STOCK_POSTED = "stock.posted"
    STOCK_REVERSED = "stock.reversed"
    STOCK_REFUSED = "stock.refused"
    DISTRIBUTION_CREATED = "distribution.created"
    DELIVERY_CREATED = "delivery.created"
    INVOICE_ISSUED = "invoice.issued"
    INVOICE_PDF_DOWNLOADED = "invoice.pdf_downloaded"
    CREDIT_NOTE_ISSUED = "credit_note.issued"
    PAYMENT_RECORDED = "payment.recorded"
    EXPORT = "export.downloaded"
    MASTER_DATA_CHANGED = "master_data.changed"
    BUSINESS_REFUSED = "business.refused"
