"""A partial bench run (BENCH_ONLY) replaces its own figures in latest.json and keeps the others."""
from bench import readme, report


def _run(at, mode, figures_run):
    return {"at": at, "mode": mode, "seconds": 10, "python": "3.11.7", "cpus": 2, "figures_run": figures_run}


def _record(number, name, value):
    return {"figure": number, "name": f"{number}. {name}", "value": value, "unit": "ms", "baseline": None,
            "ratio": None, "target": None, "meets": None}


PREVIOUS = {
    "run": _run("2026-12-01 10:00 UTC", "full", [1, 4]),
    "figures": [_record(1, "stored", 70.0), _record(4, "inbox p95", 25.0)],
    "details": ["1 old ingest detail", "4 old scale detail"],
}


def test_a_partial_run_keeps_the_figures_it_did_not_measure_with_the_run_they_came_from():
    results = report.merged(PREVIOUS, _run("2026-12-03 18:00 UTC", "quick", [4]),
                            [_record(4, "inbox p95", 21.0)], ["4 new scale detail"])

    assert [(record["name"], record["value"]) for record in results["figures"]] == [
        ("1. stored", 70.0), ("4. inbox p95", 21.0)]
    assert results["run"]["figures_run"] == [1, 4]
    assert results["run"]["figure_runs"] == {"1": {"at": "2026-12-01 10:00 UTC", "mode": "full"},
                                             "4": {"at": "2026-12-03 18:00 UTC", "mode": "quick"}}
    assert results["details"] == ["1 old ingest detail", "4 new scale detail"]
    assert report.runs_line(results["run"]) == (
        "Figures by run: 1 from 2026-12-01 10:00 UTC (full mode); 4 from 2026-12-03 18:00 UTC (quick mode).")
    assert "Figures by run: 1 from 2026-12-01" in readme.table(results)


def test_a_full_run_replaces_everything():
    results = report.merged(None, _run("2026-12-03 18:00 UTC", "full", [4]), [_record(4, "inbox p95", 21.0)])

    assert [record["name"] for record in results["figures"]] == ["4. inbox p95"]
    assert report.runs_line(results["run"]) == "All figures from this run (full mode)."


def test_records_of_an_older_file_without_figure_numbers_are_placed_by_their_name():
    previous = {"run": _run("2026-12-01 10:00 UTC", "quick", [2]),
                "figures": [{key: value for key, value in _record(2, "p99", 9.0).items() if key != "figure"}]}
    results = report.merged(previous, _run("2026-12-03 18:00 UTC", "full", [4]), [_record(4, "inbox", 1.0)])

    assert [record["figure"] for record in results["figures"]] == [2, 4]
    assert results["run"]["figure_runs"]["2"] == {"at": "2026-12-01 10:00 UTC", "mode": "quick"}
