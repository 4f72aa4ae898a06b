"""Server-side SVG charts of a report table: line, grouped bars, stacked bars and a heat map.

Drawn from the very rows the page shows in its table, with localised labels, a <title> per point
(the browser's tooltip) and role="img" with the chart's title for screen readers.
"""
from django.utils.html import escape
from django.utils.safestring import mark_safe

from .formatting import display

WIDTH, HEIGHT = 720, 260
LEFT, RIGHT, TOP, BOTTOM = 64, 16, 16, 44
PALETTE = {"negative": "#d1495b", "neutral": "#8d99ae", "positive": "#2a9d8f"}
COLOURS = ["#3a86ff", "#ff9f1c", "#2a9d8f", "#d1495b", "#8338ec", "#6c757d"]
MAX_X_LABELS = 12


def _colour(key, index):
    return PALETTE.get(key, COLOURS[index % len(COLOURS)])


def _nice_max(value):
    if value <= 0:
        return 1
    magnitude = 10 ** (len(str(int(value))) - 1)
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * magnitude:
            return step * magnitude
    return 10 * magnitude


def _columns(table):
    return {column.key: column for column in table.columns}


def _frame(chart, table, top, bottom=0.0):
    columns = _columns(table)
    kind = columns[chart.series[0]].kind
    plot_h = HEIGHT - TOP - BOTTOM
    parts = []
    for step in range(5):
        value = bottom + (top - bottom) * step / 4
        y = TOP + plot_h - plot_h * step / 4
        parts.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}" class="grid"/>')
        parts.append(f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end" class="axis">'
                     f'{escape(display(value, kind))}</text>')
    return parts


def _x_labels(chart, table, positions):
    columns = _columns(table)
    x_kind = columns[chart.x].kind
    every = max(1, -(-len(table.rows) // MAX_X_LABELS))
    parts = []
    for index, (row, x) in enumerate(zip(table.rows, positions)):
        if index % every == 0:
            parts.append(f'<text x="{x:.1f}" y="{HEIGHT - BOTTOM + 16}" text-anchor="middle" class="axis">'
                         f'{escape(display(row[chart.x], x_kind))}</text>')
    return parts


def _legend(chart, table):
    columns = _columns(table)
    items = []
    x = LEFT
    for index, key in enumerate(chart.series):
        label = escape(str(columns[key].label))
        items.append(f'<rect x="{x}" y="{HEIGHT - 14}" width="10" height="10" fill="{_colour(key, index)}"/>'
                     f'<text x="{x + 14}" y="{HEIGHT - 5}" class="legend">{label}</text>')
        x += 24 + 7 * len(label)
    return items


def _value(row, key):
    value = row.get(key)
    return float(value) if isinstance(value, (int, float)) else None


def _line(chart, table):
    values = [v for row in table.rows for v in (_value(row, k) for k in chart.series) if v is not None]
    low = min([0.0] + values)
    top = _nice_max(max(values, default=0))
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    count = max(1, len(table.rows) - 1)
    xs = [LEFT + plot_w * index / count for index in range(len(table.rows))]
    span = (top - low) or 1
    parts = _frame(chart, table, top, low)
    columns = _columns(table)
    for index, key in enumerate(chart.series):
        points, dots = [], []
        for row, x in zip(table.rows, xs):
            value = _value(row, key)
            if value is None:
                continue
            y = TOP + plot_h - plot_h * (value - low) / span
            points.append(f"{x:.1f},{y:.1f}")
            tip = f"{display(row[chart.x], columns[chart.x].kind)}: {columns[key].label} {display(value, columns[key].kind)}"
            dots.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{_colour(key, index)}" data-value="{value}">'
                        f'<title>{escape(tip)}</title></circle>')
        if points:
            parts.append(f'<polyline fill="none" stroke="{_colour(key, index)}" stroke-width="2" '
                         f'points="{" ".join(points)}" data-series="{escape(key)}"/>')
        parts += dots
    return parts + _x_labels(chart, table, xs)


def _bars(chart, table, stacked):
    rows = table.rows
    totals = [sum(_value(row, k) or 0 for k in chart.series) if stacked else
              max([_value(row, k) or 0 for k in chart.series], default=0) for row in rows]
    top = _nice_max(max(totals, default=0))
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    slot = plot_w / max(1, len(rows))
    groups = 1 if stacked else len(chart.series)
    bar_w = max(2.0, slot * 0.8 / groups)
    parts = _frame(chart, table, top)
    columns = _columns(table)
    centres = []
    for row_index, row in enumerate(rows):
        start = LEFT + slot * row_index + slot * 0.1
        centres.append(LEFT + slot * row_index + slot / 2)
        base = 0.0
        for index, key in enumerate(chart.series):
            value = _value(row, key) or 0
            height = plot_h * value / top
            x = start if stacked else start + index * bar_w
            y = TOP + plot_h - height - (plot_h * base / top if stacked else 0)
            tip = f"{display(row[chart.x], columns[chart.x].kind)}: {columns[key].label} {display(value, columns[key].kind)}"
            parts.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar_w:.1f}" height="{height:.1f}" '
                         f'fill="{_colour(key, index)}" data-series="{escape(key)}" data-value="{value}">'
                         f'<title>{escape(tip)}</title></rect>')
            if stacked:
                base += value
    return parts + _x_labels(chart, table, centres)


def _heatmap(chart, table):
    columns = _columns(table)
    values = [_value(row, k) or 0 for row in table.rows for k in chart.series]
    top = max(values, default=0) or 1
    cell_w = (WIDTH - LEFT - RIGHT) / len(chart.series)
    cell_h = (HEIGHT - TOP - BOTTOM) / max(1, len(table.rows))
    parts = []
    for row_index, row in enumerate(table.rows):
        y = TOP + row_index * cell_h
        parts.append(f'<text x="{LEFT - 6}" y="{y + cell_h / 2 + 4:.1f}" text-anchor="end" class="axis">'
                     f'{escape(str(row[chart.x])[:3])}</text>')
        for index, key in enumerate(chart.series):
            value = _value(row, key) or 0
            tip = f"{row[chart.x]} {columns[key].label}: {display(value, 'number')}"
            parts.append(f'<rect x="{LEFT + index * cell_w:.1f}" y="{y:.1f}" width="{cell_w - 1:.1f}" '
                         f'height="{cell_h - 1:.1f}" fill="#3a86ff" fill-opacity="{0.06 + 0.94 * value / top:.2f}" '
                         f'data-value="{value}"><title>{escape(tip)}</title></rect>')
    for index, key in enumerate(chart.series):
        if index % 3 == 0:
            parts.append(f'<text x="{LEFT + index * cell_w + cell_w / 2:.1f}" y="{HEIGHT - BOTTOM + 16}" '
                         f'text-anchor="middle" class="axis">{escape(str(columns[key].label))}</text>')
    return parts


def render(chart, table):
    if chart.kind == "heatmap":
        body = _heatmap(chart, table)
    elif chart.kind == "line":
        body = _line(chart, table) + _legend(chart, table)
    else:
        body = _bars(chart, table, stacked=chart.kind == "stacked") + _legend(chart, table)
    title = escape(str(chart.title))
    return mark_safe(
        f'<svg class="report-chart" data-kind="{chart.kind}" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-label="{title}" xmlns="http://www.w3.org/2000/svg"><title>{title}</title>{"".join(body)}</svg>'
    )
