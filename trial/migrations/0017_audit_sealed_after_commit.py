"""Audit rows are sealed into the hash chain after commit (trial.audit.sequencer).

The chain columns become empty until sealed, and the append-only trigger (0002) now lets through
exactly one kind of update: filling the chain columns of an unsealed row, every other column
unchanged. Every other update and every delete is still refused, whatever the client.
"""

from django.db import migrations, models

CONTENT = (
    "id, event_id, occurred_at, user_id, username, role, action, object_type, object_id, "
    "subject, field, old_value, new_value, reason, channel, ip, user_agent, app_version"
)
OLD_ROW = ", ".join(f"OLD.{c.strip()}" for c in CONTENT.split(","))
NEW_ROW = ", ".join(f"NEW.{c.strip()}" for c in CONTENT.split(","))

SEALING_ALLOWED = f"""
CREATE OR REPLACE FUNCTION trial_audit_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND OLD.seq IS NULL AND OLD.hash IS NULL AND OLD.prev_hash IS NULL
        AND NEW.seq IS NOT NULL AND NEW.hash IS NOT NULL AND NEW.prev_hash IS NOT NULL
        AND ROW({NEW_ROW}) IS NOT DISTINCT FROM ROW({OLD_ROW}) THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'audit trail is append-only: % on trial_auditentry refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
"""

NO_UPDATE = """
CREATE OR REPLACE FUNCTION trial_audit_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit trail is append-only: % on trial_auditentry refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
"""


def allow_sealing(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(SEALING_ALLOWED, params=None)


def refuse_every_update(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(NO_UPDATE, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("trial", "0016_user_language"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="auditentry",
            options={
                "default_permissions": ("view",),
                "ordering": ["id"],
                "verbose_name": "audit entry",
                "verbose_name_plural": "audit entries",
            },
        ),
        migrations.AlterField(
            model_name="auditentry",
            name="hash",
            field=models.CharField(blank=True, max_length=64, null=True, unique=True),
        ),
        migrations.AlterField(
            model_name="auditentry",
            name="prev_hash",
            field=models.CharField(blank=True, max_length=64, null=True),
        ),
        migrations.AlterField(
            model_name="auditentry",
            name="seq",
            field=models.BigIntegerField(blank=True, null=True, unique=True),
        ),
        migrations.AddIndex(
            model_name="auditentry",
            index=models.Index(
                condition=models.Q(("seq__isnull", True)), fields=["id"], name="audit_unsealed"
            ),
        ),
        migrations.RunPython(allow_sealing, refuse_every_update),
    ]
