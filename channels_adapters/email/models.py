from django.db import models


class ImapCursor(models.Model):
    """How far IMAP polling of one channel's folder has come: nothing fetched twice, nothing missed.

    UIDs only mean something within one UIDVALIDITY of one folder; when either
    changes, polling starts over from what the server says is not imported yet.
    """

    channel = models.OneToOneField("conversations.Channel", on_delete=models.CASCADE, related_name="imap_cursor")
    folder = models.CharField(max_length=255)
    uidvalidity = models.BigIntegerField(null=True, blank=True)
    last_uid = models.BigIntegerField(default=0)
    last_polled_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)

    def __str__(self):
        return f"IMAP {self.folder} of {self.channel_id} at UID {self.last_uid}"
