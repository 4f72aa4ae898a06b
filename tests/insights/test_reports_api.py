import csv
import io

from insights.models import CycleFact

QUERY = "from=2026-03-06&to=2026-03-09&tz=UTC"


def test_a_supervisor_gets_a_report_as_json(known_week, client_for):
    answer = client_for(known_week["supervisor"]).get(f"/api/v1/reports/overview/?{QUERY}")
    assert answer.status_code == 200
    body = answer.json()
    numbers = {figure["key"]: figure["value"] for figure in body["summary"]}
    assert numbers["opened"] == 4 and numbers["first_response_median"] == 1200
    assert body["filters"] == {"from": "2026-03-06", "to": "2026-03-09", "tz": "UTC"}
    assert body["tables"][0]["key"] == "per_day" and len(body["tables"][0]["rows"]) == 4
    assert {chart["kind"] for chart in body["charts"]} == {"line", "bar"}


def test_the_report_list_names_every_report(known_week, client_for):
    names = [r["name"] for r in client_for(known_week["agent"]).get("/api/v1/reports/").json()]
    assert {"overview", "response-times", "csat", "heatmap", "channels", "teams", "agents", "labels", "funnel",
            "hops", "sentiment"} <= set(names)


def test_an_agent_gets_only_their_teams_and_403_for_another(known_week, client_for):
    seller = client_for(known_week["seller"])
    body = seller.get(f"/api/v1/reports/teams/?{QUERY}").json()
    assert [row["name"] for row in body["tables"][0]["rows"]] == ["Vendas"]
    answer = seller.get(f"/api/v1/reports/overview/?{QUERY}&team={known_week['team'].pk}")
    assert answer.status_code == 403


def test_bad_input_is_a_400_and_an_unknown_report_a_404(known_week, client_for):
    client = client_for(known_week["supervisor"])
    answer = client.get("/api/v1/reports/overview/?from=03/06/2026")
    assert answer.status_code == 400 and "from" in answer.json()
    assert client.get(f"/api/v1/reports/overview/?{QUERY}&tz=Nowhere/City").status_code == 400
    assert client.get(f"/api/v1/reports/overview/?{QUERY}&export=csv&table=nope").status_code == 400
    assert client.get("/api/v1/reports/everything/").status_code == 404


def test_anonymous_is_refused(known_week):
    from rest_framework.test import APIClient

    assert APIClient().get("/api/v1/reports/overview/").status_code in (401, 403)


def test_csv_export_of_a_table(known_week, client_for):
    answer = client_for(known_week["supervisor"]).get(f"/api/v1/reports/channels/?{QUERY}&export=csv")
    assert answer.status_code == 200 and answer["Content-Type"].startswith("text/csv")
    assert 'filename="channels-rows.csv"' in answer["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(answer.content.decode())))
    assert rows[0][:3] == ["Channel", "Opened", "Resolved"]
    assert sorted(row[0] for row in rows[1:]) == ["SMS", "WhatsApp"]


def test_a_report_reads_rollups_in_a_fixed_number_of_queries(known_week, client_for, django_assert_max_num_queries):
    client = client_for(known_week["supervisor"])
    assert CycleFact.objects.count() == 4
    with django_assert_max_num_queries(25):
        assert client.get(f"/api/v1/reports/overview/?{QUERY}").status_code == 200
