"""No donor holds two live assignments within their donation interval: on PostgreSQL an
exclusion constraint over (donor, [on, blocks_until)) for proposed/asked/confirmed rows.

SQLite cannot express it (and has a single writer, so services.assignment_create's check
under the donor's row lock suffices there): this migration does nothing on other databases.
It is raw SQL rather than Meta.constraints, so model validation and SQLite never see it."""

from django.db import migrations

CONSTRAINT = "thal_assignment_no_double_booking"

CREATE = f"""
CREATE EXTENSION IF NOT EXISTS btree_gist;
ALTER TABLE thalassemia_assignment ADD CONSTRAINT {CONSTRAINT}
    EXCLUDE USING gist (
        donor_id WITH =,
        daterange("on", blocks_until, '[)') WITH &&
    ) WHERE (status IN ('proposed', 'asked', 'confirmed'));
"""

DROP = f"ALTER TABLE thalassemia_assignment DROP CONSTRAINT IF EXISTS {CONSTRAINT};"


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("thalassemia", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
