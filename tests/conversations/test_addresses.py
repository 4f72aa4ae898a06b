import pytest

from conversations.addresses import InvalidAddress, normalise_address


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("+55 11 99999-0001", "+5511999990001"),
        ("whatsapp:+5511999990001", "+5511999990001"),
        ("5511999990001", "+5511999990001"),  # WhatsApp Cloud sends no "+"
        ("(11) 99999-0001", "+5511999990001"),  # national, read in the default region (BR)
        ("+351 912 345 678", "+351912345678"),
        # WhatsApp ids keep old mobile forms: Brazil without the ninth digit, Mexico with "1" after 52.
        ("551199990001", "+5511999990001"),
        ("whatsapp:+5215512345678", "+525512345678"),
        ("+55 11 3333-4444", "+551133334444"),  # a landline keeps its eight digits
    ],
)
def test_phone_numbers_become_e164(raw, expected):
    assert normalise_address("phone", raw) == expected


def test_email_is_lower_cased_and_checked():
    assert normalise_address("email", "  Maria.Oliveira@Example.COM ") == "maria.oliveira@example.com"
    with pytest.raises(InvalidAddress):
        normalise_address("email", "not-an-email")


@pytest.mark.parametrize("kind, raw", [("phone", "hello"), ("phone", "+1"), ("fax", "123"), ("telegram", "  ")])
def test_invalid_addresses_are_refused(kind, raw):
    with pytest.raises(InvalidAddress):
        normalise_address(kind, raw)


def test_provider_ids_are_kept_as_they_are():
    assert normalise_address("messenger", "6543210987654321") == "6543210987654321"
