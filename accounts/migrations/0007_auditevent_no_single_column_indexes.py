"""AuditEvent loses its single-column indexes on actor and content_type: the composite
indexes (actor, -at) and (content_type, object_id, -at) begin with them and answer every
query by either, and an import writes an audit row per donor.

Only the indexes are dropped. ``AlterField`` would also drop and re-add the foreign keys,
which checks every audit row again under a lock (as donors/0014)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

INDEXES = {  # Django's names for the fields' indexes, the same on every backend
    "actor_id": "accounts_auditevent_actor_id_179eee89",
    "content_type_id": "accounts_auditevent_content_type_id_28f1faf0",
}


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0006_unit_rules_profile"),
        ("contenttypes", "0002_remove_content_type_name"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="auditevent",
                    name="actor",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="audit_events",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="who",
                    ),
                ),
                migrations.AlterField(
                    model_name="auditevent",
                    name="content_type",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="contenttypes.contenttype",
                    ),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    f"DROP INDEX IF EXISTS {name}",
                    f"CREATE INDEX IF NOT EXISTS {name} ON accounts_auditevent ({column})",
                )
                for column, name in INDEXES.items()
            ],
        ),
    ]
