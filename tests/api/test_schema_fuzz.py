"""Schemathesis against our own OpenAPI schema, on the test server (127.0.0.1): bad input is a 4xx, never a 5xx.

Bounded for CI: a few generated examples per operation and generation mode
(valid and invalid data), with an admin token, against the in-process
server only. Every 5xx found is collected and reported together.
"""
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error

from channels_adapters.types import InboundMessage, Sender
from conversations.actions.ingest import ingest_message

EXAMPLES_PER_OPERATION_AND_MODE = 5
# Operations that change the shared fixtures for the rest of the run are still fuzzed, each run starts clean.
pytestmark = pytest.mark.timeout(240)


def fuzz(operation, mode, call, path_parameters=None):
    @given(case=operation.as_strategy(generation_mode=mode, path_parameters=path_parameters))
    @settings(max_examples=EXAMPLES_PER_OPERATION_AND_MODE, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    def run(case):
        call(case)

    run()


def test_no_operation_answers_a_5xx(live_server_url, admin_user, make_agent, make_api_channel, team):
    # Something to find for the ids the fuzzer tries: a team, a channel, a customer, a conversation, messages.
    channel = make_api_channel(team=team)
    inbound = ingest_message(channel, InboundMessage("fuzz-1", Sender("phone", "+5511999990001", "Maria"), "Oi")).message
    # Each resource's id of a real row, so bodies are also fuzzed against objects that exist.
    # (Not the caller's own account: a PATCH making it an agent of no team would blind the rest of the run.)
    real_ids = {"teams": team.pk, "agents": make_agent("fuzzed", teams=[team]).pk, "channels": str(channel.pk),
                "customers": inbound.conversation.customer_id, "conversations": inbound.conversation_id,
                "messages": inbound.pk}
    headers = {"Authorization": f"Token {Token.objects.get_or_create(user=admin_user)[0].key}"}
    schema = schemathesis.openapi.from_url(f"{live_server_url}/api/v1/schema/", headers=headers)
    assert live_server_url.startswith("http://127.0.0.1:")  # only ever the in-process test server

    failures, operations, calls = [], 0, []

    def call(case):
        calls.append(case.method)
        try:
            case.call_and_validate(base_url=live_server_url, headers=headers, checks=[not_a_server_error])
        except AssertionError as exc:  # a 5xx: keep going, report every operation that has one
            failures.append(f"{case.method} {case.formatted_path}: {str(exc).splitlines()[0]}")
            raise

    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1
        resource = operation.path.removeprefix("/api/v1/").split("/")[0]
        targets = [None] + ([{"id": real_ids[resource]}] if "{id}" in operation.path and resource in real_ids else [])
        for mode in (schemathesis.GenerationMode.POSITIVE, schemathesis.GenerationMode.NEGATIVE):
            for path_parameters in targets:
                try:
                    fuzz(operation, mode, call, path_parameters)
                except AssertionError:
                    pass  # recorded in failures
                except Unsatisfiable:
                    pass  # nothing left to make invalid once the id is a real one
    assert operations >= 20 and len(calls) >= operations * EXAMPLES_PER_OPERATION_AND_MODE
    assert failures == []
