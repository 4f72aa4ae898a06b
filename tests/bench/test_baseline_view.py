"""The ingest figure's baseline view: mounted only for the bench, and as strict about signatures as the webhook."""
import uuid

import pytest
from django.db import connection
from django.test import override_settings

from bench import stack

from ..conftest import API_SECRET, api_message, signed
from ..services import require_postgres


def test_bench_views_are_not_mounted_in_a_normal_run(client, make_api_channel):
    channel = make_api_channel()
    body, headers = signed(api_message("m-1", "+5511999990001"))
    response = client.post(f"/bench/baseline/{channel.pk}/", body, content_type="application/json",
                           headers=headers)
    assert response.status_code == 404


def baseline_rows():
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {stack.BASELINE_TABLE}")
        return cursor.fetchone()[0]


@pytest.fixture
def baseline_client(client, db):
    require_postgres()
    stack.create_baseline_table()
    with override_settings(ROOT_URLCONF="bench.django_app.urls"):
        yield client


def post(client, channel_id, body, headers):
    return client.post(f"/baseline/{channel_id}/", body, content_type="application/json", headers=headers)


def test_a_signed_body_inserts_one_row(baseline_client, make_api_channel):
    body, headers = signed(api_message("m-1", "+5511999990001"))
    assert post(baseline_client, make_api_channel().pk, body, headers).status_code == 200
    assert baseline_rows() == 1


@pytest.mark.parametrize("secret", ["x" * 20, None])
def test_a_wrong_signature_is_403_and_inserts_nothing(baseline_client, make_api_channel, secret):
    body, headers = signed(api_message("m-1", "+5511999990001"), secret=secret or API_SECRET)
    if not secret:
        del headers["X-OmniDesk-Signature"]
    assert post(baseline_client, make_api_channel().pk, body, headers).status_code == 403
    assert baseline_rows() == 0


def test_an_unknown_channel_is_404(baseline_client):
    body, headers = signed(api_message("m-1", "+5511999990001"))
    assert post(baseline_client, uuid.uuid4(), body, headers).status_code == 404
