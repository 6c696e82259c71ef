"""Refuse TRUNCATE of the audit table by trigger (PostgreSQL).

Row triggers do not fire on TRUNCATE, so 0002's append-only trigger let a TRUNCATE through. This
statement trigger refuses it for every role but the table's owner: the owner (the role that runs
migrations, never the application's role; see ``grant_app_role``) could drop any trigger anyway,
and Django's test runner empties tables with TRUNCATE as the owner.
"""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION trial_audit_no_truncate() RETURNS trigger AS $$
DECLARE
    owner name;
BEGIN
    SELECT tableowner INTO owner FROM pg_tables
        WHERE schemaname = TG_TABLE_SCHEMA AND tablename = TG_TABLE_NAME;
    IF pg_has_role(current_user, owner, 'MEMBER') THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION 'audit trail is append-only: TRUNCATE of % refused', TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER trial_auditentry_no_truncate
    BEFORE TRUNCATE ON trial_auditentry
    FOR EACH STATEMENT EXECUTE FUNCTION trial_audit_no_truncate();
"""

DROP = """
DROP TRIGGER IF EXISTS trial_auditentry_no_truncate ON trial_auditentry;
DROP FUNCTION IF EXISTS trial_audit_no_truncate();
"""


def create_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def drop_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("trial", "0006_alter_trialaccess_options")]

    operations = [migrations.RunPython(create_trigger, drop_trigger)]
