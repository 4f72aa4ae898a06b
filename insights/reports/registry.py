"""What a report is: a summary, tables and the charts drawn from those tables (the same data three ways)."""
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    # text, number, duration (seconds), percent (0..1), date, score (-1..1), rating (1..5)
    kind: str = "number"


@dataclass
class Table:
    key: str
    title: str
    columns: list
    rows: list = field(default_factory=list)


@dataclass(frozen=True)
class Chart:
    kind: str  # line, bar, stacked, heatmap
    table: str
    x: str
    series: tuple
    title: str = ""


@dataclass(frozen=True)
class Figure:
    key: str
    label: str
    value: object
    kind: str = "number"


@dataclass
class Report:
    name: str
    title: str
    summary: list
    tables: list
    charts: list

    def table(self, key):
        return next(table for table in self.tables if table.key == key)

    def as_dict(self, filters):
        return {
            "report": self.name,
            "title": self.title,
            "filters": filters.query(),
            "summary": [figure.__dict__ for figure in self.summary],
            "tables": [
                {"key": t.key, "title": t.title, "columns": [c.__dict__ for c in t.columns], "rows": t.rows}
                for t in self.tables
            ],
            "charts": [{**chart.__dict__, "series": list(chart.series)} for chart in self.charts],
        }


REPORTS = {}


def report(name, title):
    def register(function):
        REPORTS[name] = (title, function)
        return function
    return register


def build(name, filters):
    title, function = REPORTS[name]
    return function(filters, str(title))
