"""Figures as written to results/latest.json."""
from bench.stats import Figure, percentile


def test_percentile_is_nearest_rank():
    values = list(range(1, 101))
    assert (percentile(values, 0.5), percentile(values, 0.99), percentile(values, 1.0)) == (50, 99, 100)
    assert percentile([], 0.5) is None


def test_a_figure_has_the_agreed_keys_and_its_ratio():
    record = Figure(1, "webhooks fully ingested", 60.0, "msg/s", 200.0, "ratio >= 0.5", False).as_json()
    assert record == {"figure": 1, "name": "1. webhooks fully ingested", "value": 60.0, "unit": "msg/s", "baseline": 200.0,
                      "ratio": 0.3, "target": "ratio >= 0.5", "meets": False}


def test_a_missed_figure_carries_its_reason_and_a_met_one_does_not():
    missed = Figure(1, "webhook p99", 80.0, "ms", 10.0, "ratio <= 2", False, reason="worker 9 ms per message")
    met = Figure(1, "webhook p99", 15.0, "ms", 10.0, "ratio <= 2", True, reason="worker 9 ms per message")
    assert missed.as_json()["reason"] == "worker 9 ms per message"
    assert "reason" not in met.as_json()
