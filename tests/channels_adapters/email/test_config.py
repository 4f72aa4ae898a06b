"""Configuration of an email channel: validated keys, secrets never shown."""
import pytest

from channels_adapters.setup import create_channel, public_config, update_channel
from conversations.actions import directory
from conversations.actions.errors import ActionError
from conversations.management.commands.seed_demo import demo_config

from .conftest import INBOUND_SECRET


def make(**config):
    return create_channel("email", "E-mail", {"address": "support@inbox.example.com", **config})


@pytest.mark.parametrize(
    "config, field",
    [
        ({"address": "not an address"}, "address"),
        ({"imap_host": "imap.example.com"}, "imap_user"),
        ({"imap_host": "h", "imap_user": "u", "imap_password": "p", "imap_port": 70000}, "imap_port"),
        ({"imap_host": "h", "imap_user": "u", "imap_password": "p", "imap_ssl": "maybe"}, "imap_ssl"),
        ({"imap_host": "h", "imap_user": "u", "imap_password": "p", "imap_security": "tls"}, "imap_security"),
        ({"tls_ca_pem": "-----BEGIN CERTIFICATE-----\nnot one\n-----END CERTIFICATE-----\n"}, "tls_ca_pem"),
        ({"smtp_port": 25}, "smtp_host"),
        ({"smtp_host": "smtp.example.com", "smtp_security": "tls"}, "smtp_security"),
        ({"smtp_host": "smtp.example.com", "smtp_user": "me"}, "smtp_password"),
        ({"inbound_secret": "short"}, "inbound_secret"),
        ({"inbound_provider": "mailchimp"}, "inbound_provider"),
        ({"inbound_provider": "mailgun"}, "mailgun_webhook_signing_key"),
        ({"inbound_provider": "sendgrid"}, "sendgrid_verification_key"),
        ({"inbound_provider": "postmark"}, "webhook_basic_auth"),
        ({"webhook_basic_auth": "no-colon"}, "webhook_basic_auth"),
        ({"message_id_domain": "not a domain"}, "message_id_domain"),
        ({"api_base_url": "ftp://mailgun"}, "api_base_url"),
        ({"pop3_host": "x"}, "pop3_host"),
    ],
)
def test_bad_config_is_refused_with_the_key_named(db, config, field):
    with pytest.raises(ActionError) as error:
        make(**config)
    assert error.value.field == "config" and field in error.value.message


def test_a_full_config_is_normalised(db):
    channel = make(address="Support@Inbox.Example.com", imap_host="imap.example.com", imap_user="u",
                   imap_password="p", imap_ssl="false", imap_port="143", smtp_host="smtp.example.com",
                   smtp_port="587", inbound_secret=INBOUND_SECRET)
    config = channel.config
    assert config["address"] == "support@inbox.example.com"
    assert (config["imap_security"], config["imap_port"], config["imap_folder"]) == ("none", 143, "INBOX")
    assert "imap_ssl" not in config
    assert (config["smtp_security"], config["smtp_port"]) == ("starttls", 587)


def test_secrets_are_never_shown_and_survive_an_update(db):
    channel = make(imap_host="imap.example.com", imap_user="u", imap_password="imap-secret",
                   smtp_host="smtp.example.com", smtp_user="s", smtp_password="smtp-secret",
                   inbound_secret=INBOUND_SECRET, inbound_provider="postmark", webhook_basic_auth="a:b",
                   mailgun_api_key="key-1")
    shown = public_config(channel)
    assert not {"imap_password", "smtp_password", "inbound_secret", "webhook_basic_auth", "mailgun_api_key"} & set(shown)
    assert shown["imap_user"] == "u"
    update_channel(channel, config={"imap_folder": "Support"})
    channel.refresh_from_db()
    assert channel.config["imap_password"] == "imap-secret" and channel.config["imap_folder"] == "Support"


def test_the_demo_config_is_valid(db):
    assert make(**demo_config("email")).kind == "email"


def test_an_oauth2_mailbox_needs_no_password(db):
    channel = make()
    config = {**channel.config, "oauth_provider": "google", "imap_host": "imap.gmail.com", "imap_user": "u@x.example",
              "smtp_host": "smtp.gmail.com", "smtp_user": "u@x.example"}
    # The connect flow writes these keys (channels_adapters.email.oauth.finish), not an admin.
    channel = directory.update_channel(channel, config=config)
    updated = update_channel(channel, config={"imap_folder": "Suporte"})
    assert updated.config["imap_folder"] == "Suporte" and "imap_password" not in updated.config


def test_the_oauth2_keys_are_not_an_admins_to_set(db):
    with pytest.raises(ActionError) as error:
        make(oauth_access_token="forged")
    assert "oauth_access_token" in error.value.message
