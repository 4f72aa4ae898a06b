"""Sign-in and password changes: failed attempts are capped, and a new password ends other sessions and tokens."""
import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.management import call_command
from django.test import Client
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from .conftest import PASSWORD

NEW_PASSWORD = "another-long-pass-phrase-2"


@pytest.fixture(autouse=True)
def fresh_counters():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def ana(make_agent, team):
    return make_agent("ana", teams=[team])


def sign_in(client, username, password, address="198.51.100.7"):
    return client.post("/login/", {"username": username, "password": password}, REMOTE_ADDR=address)


def test_failed_sign_ins_are_capped_per_username_even_for_the_right_password(client, ana, settings):
    settings.AUTH_RATE_LIMITS = {**settings.AUTH_RATE_LIMITS, "login_username": (3, 900)}
    for _ in range(3):
        assert sign_in(client, "ana", "wrong").status_code == 200
    refused = sign_in(client, "ANA", PASSWORD, address="203.0.113.9")  # another address, the username is the same
    assert refused.status_code == 429 and "Too many failed attempts" in refused.content.decode()
    assert "_auth_user_id" not in client.session
    assert sign_in(Client(), "bruno-not-limited", "x").status_code == 200


def test_failed_sign_ins_are_capped_per_address(client, ana, make_agent, settings):
    settings.AUTH_RATE_LIMITS = {**settings.AUTH_RATE_LIMITS, "login_ip": (4, 900)}
    for name in ("u1", "u2", "u3", "u4"):
        sign_in(client, name, "wrong")
    assert sign_in(client, "ana", PASSWORD).status_code == 429
    assert sign_in(Client(), "ana", PASSWORD, address="203.0.113.9").status_code == 302


def test_the_admin_sign_in_shares_the_limit(client, admin_user, settings):
    settings.AUTH_RATE_LIMITS = {**settings.AUTH_RATE_LIMITS, "login_username": (2, 900)}
    for _ in range(2):
        client.post("/admin/login/", {"username": "root", "password": "wrong"}, REMOTE_ADDR="198.51.100.7")
    client.post("/admin/login/", {"username": "root", "password": PASSWORD}, REMOTE_ADDR="198.51.100.7")
    assert "_auth_user_id" not in client.session


def test_a_right_password_within_the_limit_signs_in(client, ana):
    sign_in(client, "ana", "wrong")
    assert sign_in(client, "ana", PASSWORD).status_code == 302


def test_wrong_current_passwords_are_capped(ana, settings):
    settings.AUTH_RATE_LIMITS = {**settings.AUTH_RATE_LIMITS, "password_change_user": (3, 900)}
    client = Client()
    client.force_login(ana)
    form = {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    for _ in range(3):
        assert client.post("/password/", {"old_password": "guess", **form}).status_code == 200
    refused = client.post("/password/", {"old_password": PASSWORD, **form})
    assert refused.status_code == 429 and "Too many failed attempts" in refused.content.decode()
    ana.refresh_from_db()
    assert ana.check_password(PASSWORD)


def test_a_password_change_ends_other_sessions_and_revokes_api_tokens(ana):
    here, elsewhere = Client(), Client()
    here.force_login(ana)
    elsewhere.force_login(ana)
    token = Token.objects.create(user=ana)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    assert api.get("/api/v1/conversations/").status_code == 200

    response = here.post("/password/", {"old_password": PASSWORD, "new_password1": NEW_PASSWORD,
                                        "new_password2": NEW_PASSWORD})
    assert response.status_code == 302

    assert here.get("/").status_code == 200  # the session that changed it stays
    assert elsewhere.get("/").status_code == 302  # any other is signed out
    assert api.get("/api/v1/conversations/").status_code == 401
    assert not Token.objects.filter(user=ana).exists()


@pytest.mark.parametrize("how", ["admin", "changepassword", "set_password"])
def test_every_way_of_changing_a_password_revokes_tokens(ana, admin_user, how, monkeypatch):
    Token.objects.create(user=ana)
    if how == "admin":
        admin_user.is_superuser = True
        admin_user.save()
        admin = Client()
        admin.force_login(admin_user)
        response = admin.post(f"/admin/auth/user/{ana.pk}/password/", {
            "password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"})
        assert response.status_code == 302, response.content.decode()[:2000]
    elif how == "changepassword":
        monkeypatch.setattr("getpass.getpass", lambda prompt="": NEW_PASSWORD)
        call_command("changepassword", "ana")
    else:
        user = get_user_model().objects.get(pk=ana.pk)
        user.set_password(NEW_PASSWORD)
        user.save()
    assert not Token.objects.filter(user=ana).exists()


def test_other_changes_keep_the_tokens(ana):
    token = Token.objects.create(user=ana)
    ana.first_name = "Ana Maria"
    ana.save()
    assert Token.objects.filter(pk=token.pk).exists()
