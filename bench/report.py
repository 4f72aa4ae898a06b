"""results/latest.json (the figures) and results/latest.md (the same as a table, with the run's context)."""
import json
import platform
from datetime import datetime, timezone

from .config import RESULTS_DIR

NOISE_NOTE = (
    "Numbers come from a 2-core machine shared with other work: absolute values are noisy; "
    "the ratios against baselines taken in the same run are what to compare."
)


def _cell(value):
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "**no**"
    return str(value)


def write(figures, context):
    RESULTS_DIR.mkdir(exist_ok=True)
    records = [figure.as_json() for figure in figures]
    (RESULTS_DIR / "latest.json").write_text(json.dumps(records, indent=2) + "\n")

    lines = [
        "# OmniDesk benchmark results",
        "",
        f"Run {datetime.now(timezone.utc):%Y-%m-%d %H:%M UTC} · mode **{context['mode']}** · "
        f"{context['duration']:.0f} s · Python {platform.python_version()} · {context['cpus']} CPUs",
        "",
        NOISE_NOTE,
        "",
        "| figure | value | unit | baseline | ratio | target | meets |",
        "|---|---:|---|---:|---:|---|---|",
    ]
    for record in records:
        name = record["name"] + (f" ({record['note']})" if record.get("note") else "")
        lines.append(
            f"| {name} | {_cell(record['value'])} | {record['unit']} | {_cell(record['baseline'])} | "
            f"{_cell(record['ratio'])} | {_cell(record['target'])} | {_cell(record['meets'])} |"
        )
    if context.get("details"):
        lines += ["", "## Details", ""]
        lines += [f"- {detail}" for detail in context["details"]]
    (RESULTS_DIR / "latest.md").write_text("\n".join(lines) + "\n")
    return RESULTS_DIR / "latest.md"
