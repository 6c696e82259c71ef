"""Partial indexes for the data stamp (trial.selectors.data_version): the newest data change."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('trial', '0017_audit_sealed_after_commit'),
    ]

    operations = [
        migrations.AddIndex(
            model_name='auditentry',
            index=models.Index(condition=models.Q(('action__in', ['create', 'update', 'delete'])), fields=['seq'], name='audit_change_seq'),
        ),
        migrations.AddIndex(
            model_name='auditentry',
            index=models.Index(condition=models.Q(('action__in', ['create', 'update', 'delete'])), fields=['id'], name='audit_change_id'),
        ),
    ]
