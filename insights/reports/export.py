"""CSV of a report's table, safe to open in a spreadsheet."""
import csv
import io

# A cell starting with one of these is run as a formula by spreadsheets (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def escape_cell(value):
    """Text that a spreadsheet would take for a formula gets a leading apostrophe; numbers stay numbers."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return value
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _header(column):
    label = str(column.label)
    return escape_cell(f"{label} (s)" if column.kind == "duration" else label)


def table_csv(table):
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([_header(column) for column in table.columns])
    for row in table.rows:
        writer.writerow([escape_cell(row.get(column.key)) for column in table.columns])
    return buffer.getvalue()
