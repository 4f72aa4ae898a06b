"""Medians and 90th percentiles (nearest rank: always a value that occurred), in SQL where it can."""
import math

from django.db import connection
from django.db.models import Aggregate, FloatField


class PercentileDisc(Aggregate):
    function = "PERCENTILE_DISC"
    template = "%(function)s(%(percentile)s) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()

    def __init__(self, expression, percentile, **extra):
        super().__init__(expression, percentile=float(percentile), **extra)


def nearest_rank(sorted_values, fraction):
    if not sorted_values:
        return None
    return sorted_values[max(0, math.ceil(fraction * len(sorted_values)) - 1)]


def percentiles(queryset, field, fractions=(0.5, 0.9)):
    """{fraction: value or None} of `field` over `queryset` (rows where it is NULL left out)."""
    queryset = queryset.filter(**{f"{field}__isnull": False})
    if connection.vendor == "postgresql":
        found = queryset.aggregate(**{f"p{index}": PercentileDisc(field, fraction)
                                      for index, fraction in enumerate(fractions)})
        return {fraction: found[f"p{index}"] for index, fraction in enumerate(fractions)}
    values = sorted(queryset.values_list(field, flat=True))
    return {fraction: nearest_rank(values, fraction) for fraction in fractions}
