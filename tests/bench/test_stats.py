"""Figures as written to results/latest.json."""
from bench.stats import Figure, percentile


def test_percentile_is_nearest_rank():
    values = list(range(1, 101))
    assert (percentile(values, 0.5), percentile(values, 0.99), percentile(values, 1.0)) == (50, 99, 100)
    assert percentile([], 0.5) is None


def test_a_figure_has_the_agreed_keys_and_its_ratio():
    record = Figure(1, "webhooks fully ingested", 60.0, "msg/s", 200.0, "ratio >= 0.5", False).as_json()
    assert record == {"name": "1. webhooks fully ingested", "value": 60.0, "unit": "msg/s", "baseline": 200.0,
                      "ratio": 0.3, "target": "ratio >= 0.5", "meets": False}
