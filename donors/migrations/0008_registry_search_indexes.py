"""Indexes for the registry's search on PostgreSQL only (SQLite keeps its plain LIKE):

- the name: a GIN trigram index on ``UPPER(name)``, the expression Django's ``icontains``
  compares, so "name contains 'sharm'" is an index scan (pg_trgm);
- the last digits of a mobile number: a b-tree on ``reverse(phone)`` with
  ``text_pattern_ops``, so "ends with 43210" is the prefix ``01234…`` of the reversed number.

The exact number needs nothing new: ``phone`` is unique, so it has its index already.
"""

from django.db import migrations

CREATE = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS donor_name_trgm ON donors_donor "
    "USING gin (UPPER(name::text) gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS donor_phone_reversed ON donors_donor "
    "(reverse(phone::text) text_pattern_ops)",
]
DROP = [
    "DROP INDEX IF EXISTS donor_phone_reversed",
    "DROP INDEX IF EXISTS donor_name_trgm",
]


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for sql in statements:
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("donors", "0007_donor_standing")]

    operations = [migrations.RunPython(_run(CREATE), _run(DROP))]
