from django.contrib import admin
from django.http import Http404, HttpResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join

from apps.billing.admin import ReadOnlyInline
from apps.core.admin import ReadOnlyAdmin
from apps.deliveries import selectors
from apps.deliveries.models import Delivery, DeliveryAttachment, DeliveryLine
from apps.deliveries.serializers import delivery_proof


class DeliveryLineInline(ReadOnlyInline):
    model = DeliveryLine
    fields = ["cylinder_type", "delivered_full", "returned_empty"]
    readonly_fields = fields


class MissingUploadsFilter(admin.SimpleListFilter):
    title = "proof uploads"
    parameter_name = "missing_uploads"

    def lookups(self, request, model_admin):
        return [("yes", "proof uploads missing"), ("no", "nothing missing")]

    def queryset(self, request, queryset):
        if self.value() in ("yes", "no"):
            return selectors.with_missing_uploads(queryset, missing=self.value() == "yes")
        return queryset


@admin.register(Delivery)
class DeliveryAdmin(ReadOnlyAdmin):
    list_display = ["id", "occurred_at", "customer", "vehicle", "driver", "invoice", "payment_method", "proof_state"]
    list_filter = ["payment_method", "vehicle", MissingUploadsFilter]
    search_fields = ["invoice__number", "customer__name", "vehicle__plate_number"]
    readonly_fields = [f.name for f in Delivery._meta.fields] + ["proof_recipient", "proof_position", "proof_images"]
    inlines = [DeliveryLineInline]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("proof").prefetch_related("attachments")

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path(
                "<path:object_id>/attachments/<str:sha256>/",
                view(self.attachment_view),
                name="deliveries_delivery_attachment",
            ),
        ] + super().get_urls()

    def attachment_view(self, request, object_id, sha256):
        """The uploaded bytes, for whoever may see the delivery in the admin
        (the admin's own scoping); never through /media/."""
        delivery = self.get_object(request, object_id)
        if delivery is None:
            raise Http404
        found = next((a for a in delivery.attachments.all() if a.sha256 == sha256 and a.uploaded), None)
        if found is None:
            raise Http404
        try:
            with found.file.open("rb") as fh:
                response = HttpResponse(fh.read(), content_type=found.content_type)
        except OSError:  # lost from the storage
            raise Http404 from None
        response["Cache-Control"] = "private, max-age=86400"
        return response

    @admin.display(description="proof")
    def proof_state(self, delivery):
        proof = delivery_proof(delivery)
        if proof is None:
            return "-"
        missing = sum(1 for a in delivery.attachments.all() if not a.uploaded)
        return f"{missing} upload(s) missing" if missing else "complete"

    @admin.display(description="received by")
    def proof_recipient(self, delivery):
        proof = delivery_proof(delivery)
        return proof.recipient_name or "-" if proof is not None else "-"

    @admin.display(description="GPS position")
    def proof_position(self, delivery):
        proof = delivery_proof(delivery)
        if proof is None or proof.latitude is None or proof.longitude is None:
            return "-"
        url = f"https://www.openstreetmap.org/?mlat={proof.latitude}&mlon={proof.longitude}#map=18/{proof.latitude}/{proof.longitude}"
        accuracy = f" (± {proof.accuracy_m} m)" if proof.accuracy_m is not None else ""
        return format_html(
            '<a href="{}" rel="noopener noreferrer" target="_blank">{}, {}</a>{}',
            url,
            proof.latitude,
            proof.longitude,
            accuracy,
        )

    @admin.display(description="signature and photos")
    def proof_images(self, delivery):
        attachments = sorted(delivery.attachments.all(), key=lambda a: (a.kind != "SIGNATURE", a.position))
        if not attachments:
            return "-"

        def cell(a: DeliveryAttachment):
            if not a.uploaded:
                return format_html(
                    '<figure class="proof-attachment missing">{}: not uploaded yet ({}…)</figure>',
                    a.get_kind_display(),
                    a.sha256[:12],
                )
            url = reverse("admin:deliveries_delivery_attachment", args=[delivery.pk, a.sha256])
            return format_html(
                '<figure class="proof-attachment" style="display:inline-block;margin:0 1em 1em 0">'
                '<a href="{}"><img src="{}" alt="{}" style="max-width:240px;max-height:160px;border:1px solid #ccc">'
                "</a><figcaption>{}: {} x {}, {} bytes</figcaption></figure>",
                url,
                url,
                a.get_kind_display(),
                a.get_kind_display(),
                a.width,
                a.height,
                a.size,
            )

        return format_html_join("", "{}", ((cell(a),) for a in attachments))
