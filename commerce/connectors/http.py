"""Fetching an order from a store's API: the base URL is configuration, answers mapped to FetchError."""
import httpx

from channels_adapters.http import http_client, json_answer

from .base import FetchError


def get_json(url, headers):
    try:
        with http_client(headers=headers) as client:
            response = client.get(url)
    except httpx.TimeoutException:
        raise FetchError("The store did not answer in time.") from None
    except httpx.HTTPError as exc:
        raise FetchError(f"Could not reach the store: {exc.__class__.__name__}.") from None
    if response.status_code == 429 or response.status_code >= 500:
        raise FetchError(f"The store answered HTTP {response.status_code}.")
    if response.status_code != 200:
        raise FetchError(f"The store answered HTTP {response.status_code}.", retryable=False)
    answer = json_answer(response)
    if not answer:
        raise FetchError("The store's answer is not a JSON object.", retryable=False)
    return answer
