"""Delivery failure reasons become a code and parameters, rendered in the reader's language.

Reasons stored as text before keep their words: they become the `provider_text` code with the old text as
its parameter (shown as it is, in the language it was written in). Going back writes the English rendering.
"""
from django.db import migrations, models
from django.utils import translation

PROVIDER_TEXT = "provider_text"  # conversations.failure_reasons.PROVIDER_TEXT, frozen here


def texts_to_codes(apps, schema_editor):
    Message = apps.get_model("conversations", "Message")
    failed = Message.objects.exclude(failure_reason="").only("pk", "failure_reason")
    for message in failed.iterator(chunk_size=500):
        message.failure_code = PROVIDER_TEXT
        message.failure_params = {"text": message.failure_reason}
        message.save(update_fields=["failure_code", "failure_params"])


def codes_to_texts(apps, schema_editor):
    from conversations.failure_reasons import describe

    Message = apps.get_model("conversations", "Message")
    with translation.override("en"):
        for message in Message.objects.exclude(failure_code="").iterator(chunk_size=500):
            message.failure_reason = describe(message.failure_code, message.failure_params)
            message.save(update_fields=["failure_reason"])


class Migration(migrations.Migration):

    dependencies = [
        ("conversations", "0006_merge_20261123_1425"),
    ]

    operations = [
        migrations.AddField(
            model_name="message",
            name="failure_code",
            field=models.CharField(blank=True, max_length=80),
        ),
        migrations.AddField(
            model_name="message",
            name="failure_params",
            field=models.JSONField(blank=True, default=dict),
        ),
        migrations.RunPython(texts_to_codes, codes_to_texts),
        migrations.RemoveField(
            model_name="message",
            name="failure_reason",
        ),
    ]
