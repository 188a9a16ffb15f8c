"""The one way every .xlsx export writes a row: text that a spreadsheet would run as a formula is made inert."""
from collections.abc import Iterable

# OWASP "CSV/formula injection": = + - @ start a formula in Excel/WPS/LibreOffice; tab and CR do in some.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    """The value as a cell may hold it: text starting like a formula gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def append_row(ws, values: Iterable) -> None:
    """Append one row to a worksheet through `safe_cell` (every xlsx writer uses this, never ws.append)."""
    ws.append([safe_cell(v) for v in values])
