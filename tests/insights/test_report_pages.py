import os

from bs4 import BeautifulSoup
from django.test import Client

from ..console.conftest import CHROMIUM, CHROMIUM_ARGS, PASSWORD  # noqa: F401
from ..services import require

QUERY = "from=2026-03-06&to=2026-03-09&tz=UTC"


def page(user, path, language="en"):
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(user)
    return client.get(path)


def test_the_overview_page_has_figures_charts_tables_and_csv_links(known_week):
    answer = page(known_week["supervisor"], f"/reports/overview/?{QUERY}")
    assert answer.status_code == 200
    html = BeautifulSoup(answer.content, "html.parser")
    assert html.select_one("[data-figure=opened] dd").text == "4"
    assert html.select_one("[data-figure=first_response_median] dd").text == "20 min"
    section = html.select_one("[data-table=per_day]")
    charts = section.select("svg.report-chart")
    assert [chart["data-kind"] for chart in charts] == ["line", "bar"]
    # The line of opened conversations goes through every day's value, the same as the table's.
    opened = section.select_one('polyline[data-series="opened"]')
    assert len(opened["points"].split()) == 4
    assert [float(c["data-value"]) for c in section.select("circle")][:4] == [1.0, 0.0, 0.0, 3.0]
    rows = section.select("tbody tr")
    assert len(rows) == 4 and rows[3].select("td")[1].text == "3"
    csv_link = section.select_one("a.csv")["href"]
    assert csv_link.startswith("/reports/overview/export.csv?") and "table=per_day" in csv_link
    assert page(known_week["supervisor"], csv_link)["Content-Type"].startswith("text/csv")


def test_numbers_and_dates_are_localised(known_week):
    html = BeautifulSoup(page(known_week["supervisor"], f"/reports/response-times/?{QUERY}", "pt-br").content,
                         "html.parser")
    assert html.select_one("html")["lang"] == "pt-br"
    first_day = html.select_one("[data-table=per_day] tbody tr td").text
    assert first_day == "06/03/2026"
    html = BeautifulSoup(page(known_week["supervisor"], f"/reports/csat/?{QUERY}", "pt-br").content, "html.parser")
    assert html.select_one("[data-figure=csat_response_rate] dd").text == "66,7 %"


def test_every_report_page_renders(known_week):
    for name in ("overview", "response-times", "csat", "heatmap", "channels", "teams", "agents", "labels",
                 "funnel", "hops", "sentiment"):
        answer = page(known_week["supervisor"], f"/reports/{name}/?{QUERY}")
        assert answer.status_code == 200, name
        assert b"<svg" in answer.content, name


def test_bad_filters_on_the_page_are_a_400_and_another_team_a_403(known_week):
    assert page(known_week["supervisor"], "/reports/overview/?from=nope").status_code == 400
    assert page(known_week["seller"], f"/reports/overview/?{QUERY}&team={known_week['team'].pk}").status_code == 403
    assert page(known_week["supervisor"], "/reports/nothing/").status_code == 404


def test_charts_render_with_data_in_the_browser(known_week_live, sign_in):
    require("Chromium", os.path.exists(CHROMIUM), "apt-get install chromium")
    browser_page = sign_in("sofia", "/reports/", locale="es-ES")
    browser_page.goto(browser_page.url.replace("/reports/", f"/reports/channels/?{QUERY}"))
    chart = browser_page.locator("svg.report-chart[data-kind=bar]").first
    chart.wait_for()
    box = chart.bounding_box()
    assert box["width"] > 300 and box["height"] > 100
    bars = browser_page.locator('svg.report-chart rect[data-series="opened"]')
    assert bars.count() == 2
    heights = [float(bars.nth(i).get_attribute("height")) for i in range(2)]
    assert all(height > 0 for height in heights)
    assert browser_page.locator("[data-table=rows] tbody tr").count() == 2
    browser_page.goto(browser_page.url.replace("/channels/", "/heatmap/"))
    cells = browser_page.locator("svg.report-chart[data-kind=heatmap] rect")
    assert cells.count() == 7 * 24
    assert browser_page.locator('svg.report-chart[data-kind=heatmap] rect[data-value="2.0"]').count() == 1
