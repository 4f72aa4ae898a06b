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
    return percentiles_of(queryset, (field,), fractions)[field]


def percentiles_of(queryset, fields, fractions=(0.5, 0.9)):
    """{field: {fraction: value or None}} for fields that are NULL on the same rows, in one query."""
    queryset = queryset.filter(**{f"{fields[0]}__isnull": False})
    if connection.vendor == "postgresql":
        names = {(field, fraction): f"p{i}_{j}" for i, field in enumerate(fields) for j, fraction in enumerate(fractions)}
        found = queryset.aggregate(**{name: PercentileDisc(field, fraction) for (field, fraction), name in names.items()})
        return {field: {fraction: found[names[(field, fraction)]] for fraction in fractions} for field in fields}
    rows = list(queryset.values_list(*fields))
    result = {}
    for index, field in enumerate(fields):
        values = sorted(row[index] for row in rows)
        result[field] = {fraction: nearest_rank(values, fraction) for fraction in fractions}
    return result
