"""A full-text index on message text for the console search, on PostgreSQL only (SQLite searches with LIKE).

The expression is the one Django writes for SearchVector("text", config="simple"), so the planner uses it.
"""
from django.db import migrations

INDEX = "message_text_fts"


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {INDEX} ON conversations_message "
            "USING gin (to_tsvector('simple'::regconfig, COALESCE(text, '')))"
        )


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("conversations", "0003_console_merges_canned_notifications")]
    operations = [migrations.RunPython(create_index, drop_index)]
