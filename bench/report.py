"""results/latest.json (the run and its figures) and results/latest.md (the same as a table, with details).

The README's performance table is generated from latest.json (bench/readme.py).
"""
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
    run = {
        "at": f"{datetime.now(timezone.utc):%Y-%m-%d %H:%M UTC}",
        "mode": context["mode"],
        "seconds": round(context["duration"]),
        "python": platform.python_version(),
        "cpus": context["cpus"],
        "figures_run": sorted({figure.figure for figure in figures}),
    }
    (RESULTS_DIR / "latest.json").write_text(json.dumps({"run": run, "figures": records}, indent=2) + "\n")

    lines = [
        "# OmniDesk benchmark results",
        "",
        f"Run {run['at']} · mode **{run['mode']}** · {run['seconds']} s · Python {run['python']} · "
        f"{run['cpus']} CPUs",
        "",
        NOISE_NOTE,
        "",
        "| figure | value | unit | baseline | ratio | target | meets |",
        "|---|---:|---|---:|---:|---|---|",
    ]
    for record in records:
        name = record["name"] + (f" ({record['note']})" if record.get("note") else "")
        name += f" — why: {record['reason']}" if record.get("reason") else ""
        lines.append(
            f"| {name} | {_cell(record['value'])} | {record['unit']} | {_cell(record['baseline'])} | "
            f"{_cell(record['ratio'])} | {_cell(record['target'])} | {_cell(record['meets'])} |"
        )
    if context.get("details"):
        lines += ["", "## Details", ""]
        lines += [f"- {detail}" for detail in context["details"]]
    (RESULTS_DIR / "latest.md").write_text("\n".join(lines) + "\n")
    return RESULTS_DIR / "latest.md"
