"""The default column layouts for DynaMo and Manage My Pain exports (their real layouts are not
public; sites add a profile per export format they receive)."""

from django.db import migrations

from outcomes.imports.profiles import DEFAULT_PROFILES as DEFAULTS


def create(apps, schema_editor):
    profile = apps.get_model("outcomes", "ImportProfile")
    for values in DEFAULTS:
        profile.objects.get_or_create(
            kind=values["kind"], name=values["name"], defaults={**values, "is_default": True}
        )


class Migration(migrations.Migration):
    dependencies = [("outcomes", "0003_devices_and_apps")]
    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
