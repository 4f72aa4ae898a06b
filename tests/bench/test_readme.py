"""The README's performance table is what bench/results/latest.json says, and says met or missed for each target."""
from bench import readme


def test_the_readme_table_is_generated_from_latest_json():
    assert readme.section(readme.README.read_text()) == readme.table(readme.load()), (
        "README.md's performance table was edited by hand or latest.json changed: run python -m bench.readme")


def _results(*records):
    run = {"at": "2026-12-01 10:00 UTC", "mode": "full", "seconds": 400, "python": "3.11.7", "cpus": 2,
           "figures_run": [1, 4]}
    return {"run": run, "figures": list(records)}


def _record(name, value, target=None, meets=None, **extra):
    return {"name": name, "value": value, "unit": "ms", "baseline": 10.0, "ratio": value / 10 if value else None,
            "target": target, "meets": meets, **extra}


def test_every_target_says_met_or_missed_and_a_miss_keeps_its_reason():
    text = readme.table(_results(
        _record("4. inbox p95", 25.0, "<= 30 ms", True),
        _record("1. webhook p99", 80.0, "ratio <= 2", False, reason="daphne 7.1 ms, worker 9.0 ms per message"),
        _record("1. stored", 120.0),
        _record("5. email", None, note="skipped: no email adapter"),
    ))
    rows = {line.split(" | ")[0].lstrip("| "): line for line in text.splitlines() if line.startswith("| ")}
    assert rows["4. inbox p95"].endswith("| met |")
    assert rows["1. webhook p99"].endswith("| **missed**: daphne 7.1 ms, worker 9.0 ms per message |")
    assert "80.0 ms | 10.0 ms (ratio 8) | ratio <= 2" in rows["1. webhook p99"]
    assert rows["1. stored"].endswith("| — (no target) |")
    assert rows["5. email"].endswith("| not measured: skipped: no email adapter |")
    assert text.startswith("Run 2026-12-01 10:00 UTC, full mode")


def test_rewriting_replaces_only_the_section_between_the_markers():
    before = f"# Title\n\nintro\n\n{readme.START}\nold table\n{readme.END}\n\nafter\n"
    after = readme.rewritten(before, "new table")
    assert after == f"# Title\n\nintro\n\n{readme.START}\nnew table\n{readme.END}\n\nafter\n"
    assert readme.section(after) == "new table"
