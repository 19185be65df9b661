"""Donor.unit loses its own index: the (unit, blood_group) index answers every query by
unit (each plan of the registry, matching and the dashboard checked on the state: the same,
or 0.1 % dearer, without it), and every index of the table is written by each registration and import
row.

Only the index is dropped. ``AlterField`` would also drop and re-add the foreign key,
which checks a state's million rows again under a lock."""

import django.db.models.deletion
from django.db import migrations, models

INDEX = "donors_donor_unit_id_9b15cf30"  # Django's name for the field's index, any backend


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0004_force_admin_role"),
        ("donors", "0013_eligible_pool"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="donor",
                    name="unit",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="donors",
                        to="accounts.policeunit",
                        verbose_name="police unit",
                    ),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    f"DROP INDEX IF EXISTS {INDEX}",
                    f"CREATE INDEX IF NOT EXISTS {INDEX} ON donors_donor (unit_id)",
                ),
            ],
        ),
    ]
