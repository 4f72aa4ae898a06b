from django.apps import AppConfig


class EmailChannelConfig(AppConfig):
    """The email channel's own state (IMAP cursors), apart from the domain's models."""

    name = "channels_adapters.email"
    label = "email_channel"
    verbose_name = "Email channel"
