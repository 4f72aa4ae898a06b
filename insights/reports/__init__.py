"""Report queries over the rollups; `build(name, filters)` gives one Report (summary, tables, charts)."""
from . import queries  # noqa: F401  (registers the reports)
from .registry import REPORTS, build

__all__ = ["REPORTS", "build"]
