from django.db import migrations

VIRTUAL = [("PLANT", "Filling plant"), ("ADJUSTMENT", "Stock adjustments"), ("WRITE_OFF", "Write-offs")]


def create(apps, schema_editor):
    Location = apps.get_model("inventory", "Location")
    for kind, name in VIRTUAL:
        if not Location.objects.filter(kind=kind, is_virtual=True).exists():
            Location.objects.create(kind=kind, name=name, is_virtual=True)


class Migration(migrations.Migration):
    dependencies = [("inventory", "0001_initial")]
    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
