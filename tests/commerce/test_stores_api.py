"""Admins connect stores through the API; secrets never come back."""
import pytest

pytestmark = pytest.mark.django_db


def test_an_admin_connects_a_store_and_gets_its_webhook_url(admin_api_client, make_agent, client_for):
    answer = admin_api_client.post("/api/v1/stores/", {"kind": "shopify", "name": "Loja", "config": {
        "shop_domain": "loja.myshopify.com", "webhook_secret": "s3cret-value"}}, format="json")
    assert answer.status_code == 201, answer.content
    data = answer.json()
    assert data["config"] == {"shop_domain": "loja.myshopify.com"}
    assert data["webhook_url"].endswith(f"/stores/{data['id']}/webhook/")
    changed = admin_api_client.patch(f"/api/v1/stores/{data['id']}/", {"name": "Loja 2", "config": {}},
                                     format="json")
    assert changed.status_code == 200 and changed.json()["name"] == "Loja 2"
    assert client_for(make_agent("ana")).get("/api/v1/stores/").status_code == 403


@pytest.mark.parametrize("payload", [
    {"kind": "magento", "name": "X", "config": {}},
    {"kind": "shopify", "name": "X", "config": {"shop_domain": "loja.com", "webhook_secret": "s"}},
    {"kind": "vtex", "name": "X", "config": {"api_base_url": "ftp://x", "app_key": "k", "app_token": "t",
                                             "hook_token": "short"}},
    {"kind": "nuvemshop", "name": "X", "config": {"api_base_url": "https://api.nuvemshop.com.br/v1",
                                                  "store_id": "abc", "access_token": "t", "app_secret": "s"}},
    {"kind": "shopify", "name": "X", "config": {"shop_domain": "a.myshopify.com", "webhook_secret": "s",
                                                "extra": "x"}},
])
def test_a_bad_configuration_is_refused(admin_api_client, payload):
    from commerce.models import Store

    assert admin_api_client.post("/api/v1/stores/", payload, format="json").status_code == 400
    assert not Store.objects.exists()


@pytest.fixture
def admin_api_client(admin_user, client_for):
    return client_for(admin_user)
