"""Figures as they are written to results/latest.json, and the percentiles they are made of."""
import math
from dataclasses import dataclass


def percentile(values, fraction):
    """Nearest-rank percentile of `values` (fraction in 0..1); None when there are none."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(fraction * len(ordered)))
    return ordered[rank - 1]


@dataclass
class Figure:
    figure: int
    name: str
    value: float | None
    unit: str
    baseline: float | None = None
    target: str | None = None
    meets: bool | None = None
    note: str = ""
    # What the run measured that explains a missed target (the README shows it beside "missed").
    reason: str = ""

    @property
    def ratio(self):
        if self.value is None or not self.baseline:
            return None
        return self.value / self.baseline

    def as_json(self):
        record = {
            "figure": self.figure,
            "name": f"{self.figure}. {self.name}",
            "value": _rounded(self.value),
            "unit": self.unit,
            "baseline": _rounded(self.baseline),
            "ratio": _rounded(self.ratio),
            "target": self.target,
            "meets": self.meets,
        }
        if self.note:
            record["note"] = self.note
        if self.reason and self.meets is False:
            record["reason"] = self.reason
        return record


def _rounded(number):
    if number is None:
        return None
    if isinstance(number, int):
        return number
    return round(number, 3 if abs(number) < 100 else 1)


def at_most(value, limit):
    return None if value is None else value <= limit


def at_least(value, limit):
    return None if value is None else value >= limit


def failed(figure, name, error):
    return Figure(figure, name, None, "", note=f"error: {error}")


def skipped(figure, name, reason):
    return Figure(figure, name, None, "", note=f"skipped: {reason}")

