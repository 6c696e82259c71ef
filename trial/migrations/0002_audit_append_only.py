"""Make the audit table append-only in the database itself (PostgreSQL).

A row-level trigger rejects every UPDATE and DELETE, whatever the client (ORM, raw SQL, psql).
TRUNCATE is governed by grants: the production database role is given INSERT and SELECT only on
this table (see README, "Database roles"). On SQLite (the embedded demo) the model and queryset
refuse updates and deletes, and the hash chain makes any change detectable.
"""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION trial_audit_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit trail is append-only: % on trial_auditentry refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER trial_auditentry_append_only
    BEFORE UPDATE OR DELETE ON trial_auditentry
    FOR EACH ROW EXECUTE FUNCTION trial_audit_append_only();
"""

DROP = """
DROP TRIGGER IF EXISTS trial_auditentry_append_only ON trial_auditentry;
DROP FUNCTION IF EXISTS trial_audit_append_only();
"""


def create_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def drop_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("trial", "0001_initial")]

    operations = [migrations.RunPython(create_trigger, drop_trigger)]
