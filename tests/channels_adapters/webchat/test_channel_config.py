import pytest

from .conftest import HMAC_SECRET, SHOP_ORIGIN


@pytest.fixture
def admin_api(client_for, admin_user):
    return client_for(admin_user)


def test_creating_a_webchat_channel_returns_an_embed_snippet_and_hides_the_secret(admin_api, team, settings):
    settings.PUBLIC_BASE_URL = "https://desk.example"
    response = admin_api.post("/api/v1/channels/", {
        "kind": "webchat", "name": "Loja", "team": team.pk,
        "config": {"allowed_origins": [SHOP_ORIGIN + "/"], "hmac_secret": HMAC_SECRET, "color": "#aa3300",
                   "welcome_text": {"en": "Hi", "pt-BR": "Oi"}, "prechat_fields": ["name", "email"],
                   "business_hours": {"timezone": "America/Sao_Paulo", "days": {"mon": [["09:00", "18:00"]]}}},
    }, format="json")
    assert response.status_code == 201, response.json()
    data = response.json()
    assert "hmac_secret" not in data["config"] and HMAC_SECRET not in str(data)
    assert data["config"]["allowed_origins"] == [SHOP_ORIGIN]
    snippet = data["embed_snippet"]
    assert 'src="https://desk.example/static/webchat/widget.js"' in snippet
    assert f'data-omnidesk-channel="{data["id"]}"' in snippet
    assert admin_api.get(f"/api/v1/channels/{data['id']}/").json()["embed_snippet"] == snippet


def test_other_kinds_have_no_snippet(admin_api, make_api_channel):
    channel = make_api_channel()
    assert "embed_snippet" not in admin_api.get(f"/api/v1/channels/{channel.pk}/").json()


@pytest.mark.parametrize("config, field", [
    ({}, "allowed_origins"),
    ({"allowed_origins": []}, "allowed_origins"),
    ({"allowed_origins": ["shop.example"]}, "allowed_origins"),
    ({"allowed_origins": [SHOP_ORIGIN], "hmac_secret": "short"}, "hmac_secret"),
    ({"allowed_origins": [SHOP_ORIGIN], "color": "red"}, "color"),
    ({"allowed_origins": [SHOP_ORIGIN], "prechat_fields": ["age"]}, "prechat_fields"),
    ({"allowed_origins": [SHOP_ORIGIN], "welcome_text": {"fr": "Salut"}}, "welcome_text"),
    ({"allowed_origins": [SHOP_ORIGIN], "touchpoints": "no"}, "touchpoints"),
    ({"allowed_origins": [SHOP_ORIGIN], "business_hours": {"timezone": "Mars/Base", "days": {}}}, "business_hours"),
    ({"allowed_origins": [SHOP_ORIGIN], "business_hours": {"timezone": "UTC", "days": {"mon": [["18:00", "09:00"]]}}},
     "business_hours"),
    ({"allowed_origins": [SHOP_ORIGIN], "colour": "#ffffff"}, "colour"),
])
def test_a_bad_config_is_refused_with_the_key_named(admin_api, config, field):
    response = admin_api.post("/api/v1/channels/", {"kind": "webchat", "name": "Loja", "config": config},
                              format="json")
    assert response.status_code == 400
    assert field in str(response.json())
