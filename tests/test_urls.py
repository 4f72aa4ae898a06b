"""The route inventory: every URL needs a signed-in user unless it is on the explicit allow-list below.

A new view is covered the moment it is routed: it is requested anonymously
(GET and POST) and must answer "sign in" (a redirect to a login page, 401
or 403). Public routes are public on purpose, each with its own proof.
"""
import re
import uuid

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

# name -> why it may be reached without signing in.
PUBLIC = {
    "login": "the sign-in page (failed attempts are capped: console/auth.py)",
    "logout": "signing out",
    "admin:login": "the admin's sign-in page (same capped backend)",
    "admin:logout": "signing out of the admin",
    "set_language": "the language switcher of the sign-in page",
    "webhook": "providers' webhooks: every adapter verifies a signature first",
    "store-webhook": "store connectors' webhooks: each verifies its store's signature or secret first",
    "outbound_media": "files providers fetch: a signed, expiring link per attachment",
    "webchat-session": "the widget: Origin allow-list and a signed visitor token",
    "webchat-upload": "the widget: Origin allow-list and a signed visitor token",
    "webchat-verification": "the widget: Origin allow-list and a signed visitor token",
    "webchat-verification-confirm": "the widget: Origin allow-list and a signed visitor token",
    "webchat-file": "files the widget shows: a signed, expiring link per attachment",
    "csat": "the rating page a CSAT link opens: a signed link per cycle",
    "webchat-demo-shop": "a stand-in shop page, on only in the embedded mode (WEBCHAT_DEMO_PAGE)",
}
SAMPLES = {"int": "1", "uuid": str(uuid.uuid4()), "str": "x", "path": "x", "slug": "x", "drf_format_suffix": ".json"}
GROUP_SAMPLES = {"pk": "1", "format": "json", "app_label": "auth", "object_id": "1"}


def routes(patterns=None, prefix="", namespace=""):
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(entry, URLResolver):
            space = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from routes(entry.url_patterns, prefix + str(entry.pattern), space)
        elif isinstance(entry, URLPattern):
            yield f"{namespace}{entry.name}" if entry.name else None, prefix + str(entry.pattern)


def sample_url(pattern):
    url = re.sub(r"\(\?P<(\w+)>[^)]*\)", lambda m: GROUP_SAMPLES.get(m.group(1), "x"), pattern)
    url = re.sub(r"<(?:(\w+):)?\w+>", lambda m: SAMPLES[m.group(1) or "str"], url)
    url = url.replace("^", "").replace("$", "").replace("\\.", ".").replace("/?", "/")
    return "/" + url


def asks_to_sign_in(response):
    if response.status_code in (401, 403):
        return True
    return response.status_code == 302 and re.search(r"/(admin/)?login/", response["Location"]) is not None


INVENTORY = sorted({(name or "", pattern) for name, pattern in routes()})


def test_the_allow_list_names_only_routes_that_exist():
    assert set(PUBLIC) <= {name for name, _pattern in INVENTORY}


@pytest.mark.parametrize("name, pattern", [(n, p) for n, p in INVENTORY if n not in PUBLIC],
                         ids=[f"{n or '?'} {p}" for n, p in INVENTORY if n not in PUBLIC])
def test_every_other_route_needs_a_signed_in_user(client, db, name, pattern):
    url = sample_url(pattern)
    answers = {method: getattr(client, method)(url) for method in ("get", "post")}
    for method, response in answers.items():
        assert response.status_code < 200 or response.status_code >= 300, f"{method.upper()} {url} answered " \
                                                                          f"{response.status_code} anonymously"
    assert any(asks_to_sign_in(response) for response in answers.values()), {
        method: (response.status_code, response.get("Location")) for method, response in answers.items()}
    for response in answers.values():  # whatever the other method answers, it is never a page or data
        assert response.status_code in (301, 302, 401, 403, 404, 405), response.status_code


def test_websockets_are_the_console_behind_a_session_and_the_widget_behind_its_token():
    from omnidesk.routing import public_websocket_urlpatterns, websocket_urlpatterns

    assert [str(p.pattern) for p in websocket_urlpatterns] == ["ws/console/"]
    assert [str(p.pattern) for p in public_websocket_urlpatterns] == ["ws/webchat/<uuid:channel_id>/"]
    # Anonymous console sockets are closed: tests/console/test_websocket_permissions.py
    # A widget socket hears nothing before a valid token: tests/channels_adapters/webchat/test_consumer.py
