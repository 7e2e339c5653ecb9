import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def fill_thumbprints(apps, schema_editor):
    """One thumbprint per key: the first device keeps it; a later device of the
    same key (registered before keys were bound) stays null."""
    from apps.sync.crypto import InvalidKey, key_thumbprint

    Device = apps.get_model("sync", "Device")
    seen = set()
    for device in Device.objects.order_by("created_at", "pk"):
        try:
            thumb = key_thumbprint(device.public_key_jwk)
        except (InvalidKey, KeyError, TypeError):
            continue
        if thumb in seen:
            continue
        seen.add(thumb)
        Device.objects.filter(pk=device.pk).update(key_thumbprint=thumb)


class Migration(migrations.Migration):
    dependencies = [
        ("sync", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="device",
            name="key_thumbprint",
            field=models.CharField(blank=True, editable=False, max_length=64, null=True, unique=True),
        ),
        migrations.AddField(
            model_name="rejectedevent",
            name="resolved_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddField(
            model_name="rejectedevent",
            name="resolution_note",
            field=models.TextField(blank=True),
        ),
        migrations.AddField(
            model_name="rejectedevent",
            name="request_id",
            field=models.CharField(blank=True, help_text="The sync request that refused it (logs).", max_length=64),
        ),
        migrations.AddField(
            model_name="rejectedevent",
            name="retries",
            field=models.PositiveIntegerField(default=0, help_text="Times a supervisor sent it again."),
        ),
        migrations.RunPython(fill_thumbprints, migrations.RunPython.noop),
    ]
