import pytest

from channels_adapters.webchat.limits import allow, allow_visitor_and_ip
from channels_adapters.webchat.origins import clean_allowed_origin, origin_allowed

ALLOWED = ["https://shop.example", "https://*.loja.example", "http://127.0.0.1:8123"]


@pytest.mark.parametrize("origin, allowed", [
    ("https://shop.example", True),
    ("https://SHOP.example:443", True),
    ("https://shop.example.evil.example", False),
    ("http://shop.example", False),
    ("https://evilshop.example", False),
    ("https://www.loja.example", True),
    ("https://a.b.loja.example", True),
    ("https://loja.example", False),
    ("https://evil-loja.example", False),
    ("http://127.0.0.1:8123", True),
    ("http://127.0.0.1:8124", False),
    ("null", False),
    ("", False),
    ("https://shop.example/path", False),
])
def test_origin_must_match_an_allowed_origin(origin, allowed):
    assert origin_allowed(origin, ALLOWED) is allowed


@pytest.mark.parametrize("value, cleaned", [
    ("https://Shop.Example/", "https://shop.example"),
    ("https://shop.example:443", "https://shop.example"),
    ("http://localhost:8000", "http://localhost:8000"),
    ("https://*.Loja.example", "https://*.loja.example"),
    ("shop.example", ""),
    ("ftp://shop.example", ""),
    ("https://shop.example/checkout", ""),
])
def test_allowed_origins_are_normalised(value, cleaned):
    assert clean_allowed_origin(value) == cleaned


def test_a_limit_allows_its_count_per_window_then_refuses(settings):
    settings.WEBCHAT_RATE_LIMITS = {**settings.WEBCHAT_RATE_LIMITS, "message_visitor": (3, 60)}
    now = 1_000_000.0
    assert [allow("message_visitor", "v1", now) for _ in range(4)] == [True, True, True, False]
    assert allow("message_visitor", "v2", now)  # another visitor has a budget of its own
    assert allow("message_visitor", "v1", now + 60)  # the next window starts afresh


def test_the_ip_limit_holds_across_visitors(settings):
    settings.WEBCHAT_RATE_LIMITS = {**settings.WEBCHAT_RATE_LIMITS, "message_visitor": (100, 60),
                                    "message_ip": (2, 60)}
    now = 2_000_000.0
    results = [allow_visitor_and_ip("message", f"visitor-{i}", "203.0.113.9", now) for i in range(3)]
    assert results == [True, True, False]
    assert allow_visitor_and_ip("message", "visitor-9", "203.0.113.10", now)
