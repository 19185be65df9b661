"""Triggers that note every change the dashboard's figures depend on (dashboard/rollups.py).

PostgreSQL: statement-level triggers with transition tables (one row per distinct day or
donor per statement, so a COPY of millions stays cheap), and row-level ones with a WHEN for
the few updates that move figures (a donor's, camp's or child's unit or blood group).
SQLite (the embedded default) has none: there the refresh rebuilds every table (the demo's
data is small, and SQLite drops triggers whenever a later migration remakes a table).
"""

from django.conf import settings
from django.db import migrations

Q = "dashboard_figurechange"


def _pg(zone: str) -> list[str]:
    local = f"(created_at AT TIME ZONE '{zone}')::date"
    sql = [
        f"""
        CREATE OR REPLACE FUNCTION dashboard_note_donations() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
          IF TG_OP <> 'DELETE' THEN
            INSERT INTO {Q} (what, day, ref)
            SELECT DISTINCT 'donation', donated_on, donor_id FROM new_rows;
          END IF;
          IF TG_OP <> 'INSERT' THEN
            INSERT INTO {Q} (what, day, ref)
            SELECT DISTINCT 'donation', donated_on, donor_id FROM old_rows;
          END IF;
          RETURN NULL;
        END $$""",
        f"""
        CREATE OR REPLACE FUNCTION dashboard_note_registrations() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
          IF TG_OP = 'INSERT' THEN
            INSERT INTO {Q} (what, day) SELECT DISTINCT 'registration', {local} FROM new_rows;
          ELSE
            INSERT INTO {Q} (what, day) SELECT DISTINCT 'registration', {local} FROM old_rows;
          END IF;
          RETURN NULL;
        END $$""",
        f"""
        CREATE OR REPLACE FUNCTION dashboard_note_donor() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
          INSERT INTO {Q} (what, ref) VALUES ('donor', NEW.id);
          INSERT INTO {Q} (what, day) VALUES
            ('registration', (OLD.created_at AT TIME ZONE '{zone}')::date),
            ('registration', (NEW.created_at AT TIME ZONE '{zone}')::date);
          RETURN NULL;
        END $$""",
        f"""
        CREATE OR REPLACE FUNCTION dashboard_note_camp() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
          INSERT INTO {Q} (what, ref) VALUES ('camp', NEW.id);
          RETURN NULL;
        END $$""",
        f"""
        CREATE OR REPLACE FUNCTION dashboard_note_transfusions() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
          IF TG_OP <> 'DELETE' THEN
            INSERT INTO {Q} (what, day)
            SELECT 'transfusion', due_on FROM new_rows
            UNION SELECT 'transfusion', done_on FROM new_rows WHERE done_on IS NOT NULL;
          END IF;
          IF TG_OP <> 'INSERT' THEN
            INSERT INTO {Q} (what, day)
            SELECT 'transfusion', due_on FROM old_rows
            UNION SELECT 'transfusion', done_on FROM old_rows WHERE done_on IS NOT NULL;
          END IF;
          RETURN NULL;
        END $$""",
        f"""
        CREATE OR REPLACE FUNCTION dashboard_note_patient() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
          INSERT INTO {Q} (what, ref) VALUES ('patient', NEW.id);
          RETURN NULL;
        END $$""",
    ]
    for table, function in (
        ("donors_donation", "dashboard_note_donations"),
        ("thalassemia_transfusion", "dashboard_note_transfusions"),
    ):
        sql += [
            f"""CREATE TRIGGER dashboard_{table}_ins AFTER INSERT ON {table}
            REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION {function}()""",
            f"""CREATE TRIGGER dashboard_{table}_upd AFTER UPDATE ON {table}
            REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
            FOR EACH STATEMENT EXECUTE FUNCTION {function}()""",
            f"""CREATE TRIGGER dashboard_{table}_del AFTER DELETE ON {table}
            REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION {function}()""",
        ]
    sql += [
        """CREATE TRIGGER dashboard_donors_donor_ins AFTER INSERT ON donors_donor
        REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT
        EXECUTE FUNCTION dashboard_note_registrations()""",
        """CREATE TRIGGER dashboard_donors_donor_del AFTER DELETE ON donors_donor
        REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT
        EXECUTE FUNCTION dashboard_note_registrations()""",
        """CREATE TRIGGER dashboard_donors_donor_upd AFTER UPDATE ON donors_donor FOR EACH ROW
        WHEN (OLD.unit_id IS DISTINCT FROM NEW.unit_id
              OR OLD.blood_group IS DISTINCT FROM NEW.blood_group
              OR OLD.external_last_donation_on IS DISTINCT FROM NEW.external_last_donation_on
              OR OLD.created_at IS DISTINCT FROM NEW.created_at)
        EXECUTE FUNCTION dashboard_note_donor()""",
        """CREATE TRIGGER dashboard_camps_camp_upd AFTER UPDATE ON camps_camp FOR EACH ROW
        WHEN (OLD.unit_id IS DISTINCT FROM NEW.unit_id
              OR OLD.blood_centre_id IS DISTINCT FROM NEW.blood_centre_id)
        EXECUTE FUNCTION dashboard_note_camp()""",
        """CREATE TRIGGER dashboard_thalassemia_patient_upd AFTER UPDATE ON thalassemia_patient
        FOR EACH ROW WHEN (OLD.unit_id IS DISTINCT FROM NEW.unit_id
              OR OLD.blood_group IS DISTINCT FROM NEW.blood_group)
        EXECUTE FUNCTION dashboard_note_patient()""",
    ]
    return sql


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    drop(apps, schema_editor)  # idempotent: a half-dropped install is replaced whole
    for statement in _pg(settings.TIME_ZONE):
        schema_editor.execute(statement)


def drop(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    names = [
        ("donors_donation", e) for e in ("ins", "upd", "del")
    ] + [("thalassemia_transfusion", e) for e in ("ins", "upd", "del")] + [
        ("donors_donor", "ins"),
        ("donors_donor", "del"),
        ("donors_donor", "upd"),
        ("camps_camp", "upd"),
        ("thalassemia_patient", "upd"),
    ]
    if vendor == "postgresql":
        for table, event in names:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS dashboard_{table}_{event} ON {table}")
        for function in ("donations", "registrations", "donor", "camp", "transfusions", "patient"):
            schema_editor.execute(f"DROP FUNCTION IF EXISTS dashboard_note_{function}()")


class Migration(migrations.Migration):
    dependencies = [
        ("dashboard", "0001_figures_rollups"),
        ("donors", "0001_initial"),
        ("camps", "0001_initial"),
        ("thalassemia", "0001_initial"),
    ]

    operations = [migrations.RunPython(create, drop)]
