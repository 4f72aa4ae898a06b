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


def runs_line(run):
    """Which run each figure comes from, when a partial run kept figures of an earlier one."""
    by_run = {}
    for number, figure_run in (run.get("figure_runs") or {}).items():
        by_run.setdefault((figure_run["at"], figure_run["mode"]), []).append(number)
    if len(by_run) <= 1:
        return f"All figures from this run ({run['mode']} mode)."
    return "Figures by run: " + "; ".join(
        f"{', '.join(numbers)} from {at} ({mode} mode)" for (at, mode), numbers in sorted(by_run.items())) + "."


def _figure_number(record):
    return record.get("figure") or int(record["name"].split(".", 1)[0])


def _detail_figure(detail):
    head = detail.split(" ", 1)[0]
    return int(head) if head.isdigit() else None


def merged(previous, run, records, details=()):
    """The results of this run, plus the figures of `previous` that this run did not measure.

    A run of some figures (BENCH_ONLY) must not drop the others from the README; each kept figure
    keeps the run it came from in `figure_runs`, so the table can say which numbers are older.
    """
    this_run = {key: run[key] for key in ("at", "mode")}
    figure_runs = {str(number): this_run for number in run["figures_run"]}
    kept = []
    if previous:
        # A file written before figure_runs existed holds one run's figures.
        old_runs = previous["run"].get("figure_runs", {})
        previous_run = {key: previous["run"][key] for key in ("at", "mode")}
        for record in previous["figures"]:
            number = _figure_number(record)
            if number not in run["figures_run"]:
                kept.append({**record, "figure": number})
                figure_runs.setdefault(str(number), old_runs.get(str(number), previous_run))
    records = sorted(kept + records, key=_figure_number)
    kept_details = [detail for detail in (previous or {}).get("details", [])
                    if _detail_figure(detail) not in run["figures_run"]]
    details = sorted(kept_details + list(details), key=lambda detail: _detail_figure(detail) or 0)
    run = {**run, "figures_run": sorted({_figure_number(record) for record in records}),
           "figure_runs": dict(sorted(figure_runs.items(), key=lambda item: int(item[0])))}
    return {"run": run, "figures": records, "details": details}


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
    latest = RESULTS_DIR / "latest.json"
    previous = json.loads(latest.read_text()) if context.get("partial") and latest.exists() else None
    results = merged(previous, run, records, context.get("details", ()))
    run, records = results["run"], results["figures"]
    latest.write_text(json.dumps(results, indent=2) + "\n")

    lines = [
        "# OmniDesk benchmark results",
        "",
        f"Run {run['at']} · mode **{run['mode']}** · {run['seconds']} s · Python {run['python']} · "
        f"{run['cpus']} CPUs",
        "",
        runs_line(run),
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
    if results["details"]:
        lines += ["", "## Details", ""]
        lines += [f"- {detail}" for detail in results["details"]]
    (RESULTS_DIR / "latest.md").write_text("\n".join(lines) + "\n")
    return RESULTS_DIR / "latest.md"
