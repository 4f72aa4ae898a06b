import pytest
from django.core import signing

from channels_adapters.webchat import tokens

CHANNEL = "4f1c7a8e-8a1b-4c59-9d1e-0d2b7e3f6a11"


def test_a_token_round_trips_and_is_bound_to_its_channel():
    visitor = tokens.new_visitor(CHANNEL).with_profile(name="Ana", email="ana@example.com")
    loaded = tokens.load(tokens.dump(visitor), CHANNEL)
    assert loaded == visitor and not loaded.verified
    assert loaded.identity == ("webchat", visitor.visitor_id)
    with pytest.raises(tokens.InvalidToken):
        tokens.load(tokens.dump(visitor), "00000000-0000-0000-0000-000000000000")


@pytest.mark.parametrize("token", ["", "garbage", None, 42, "x" * 3000])
def test_garbage_is_not_a_token(token):
    with pytest.raises(tokens.InvalidToken):
        tokens.load(token, CHANNEL)


def test_a_token_forged_with_another_key_is_refused():
    forged = signing.dumps({"c": CHANNEL, "v": "someone-else", "vk": "email", "va": "ceo@shop.example"},
                           key="not-our-secret-key", salt=tokens.SALT, compress=True)
    with pytest.raises(tokens.InvalidToken):
        tokens.load(forged, CHANNEL)


def test_an_old_token_expires(settings):
    token = tokens.dump(tokens.new_visitor(CHANNEL))
    settings.WEBCHAT_TOKEN_MAX_AGE_SECONDS = -1
    with pytest.raises(tokens.InvalidToken):
        tokens.load(token, CHANNEL)


def test_a_verification_expires_long_before_the_visitor(settings):
    visitor = tokens.new_visitor(CHANNEL).with_profile(verified_kind="external", verified_address="user-42")
    token = tokens.dump(visitor)
    assert tokens.load(token, CHANNEL).verified
    settings.WEBCHAT_VERIFIED_TOKEN_MAX_AGE_SECONDS = -1
    loaded = tokens.load(token, CHANNEL)
    assert not loaded.verified and loaded.visitor_id == visitor.visitor_id


def test_identifier_hash_is_hex_hmac_sha256():
    # What a shop computes with: echo -n user-42 | openssl dgst -sha256 -hmac secret-key-16chars
    computed = tokens.identifier_hash("secret-key-16chars", "user-42")
    assert computed == "a594a6861e10db86c63e52f3f97606f4795a65f9ae33a706ba4488dd720bfaff"
    assert tokens.identifier_hash_matches("secret-key-16chars", "user-42", computed.upper())
    assert not tokens.identifier_hash_matches("secret-key-16chars", "user-43", computed)
    assert not tokens.identifier_hash_matches("", "user-42", tokens.identifier_hash("", "user-42"))
    assert not tokens.identifier_hash_matches("secret-key-16chars", "user-42", None)


@pytest.mark.parametrize("identifier, identity", [
    ("Maria@Example.com", ("email", "maria@example.com")),
    ("+55 11 99999-0001", ("phone", "+5511999990001")),
    ("user-42", ("external", "user-42")),
    ("5511999990001", ("external", "5511999990001")),
    ("not@an email", ("external", "not@an email")),
])
def test_a_verified_identifier_becomes_email_phone_or_external(identifier, identity):
    assert tokens.verified_identity(identifier) == identity
