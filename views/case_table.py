"""The auditor's case list as a table: the same columns on the page and in the Excel export."""
import io

from openpyxl import Workbook
from openpyxl.styles import Font

from rules.spreadsheet import append_row
from workflows.labels import label

from .filters import fmt_datetime

COLUMNS: list[tuple[str, object]] = [
    ("案件编号", lambda c, a, u: c.id),
    ("案件", lambda c, a, u: c.title),
    ("流程", lambda c, a, u: c.process_version.title),
    ("版本", lambda c, a, u: c.process_version.version),
    ("机构", lambda c, a, u: a or ""),
    ("统一社会信用代码", lambda c, a, u: c.credit_code or ""),
    ("所属单位", lambda c, a, u: u or c.unit_code or ""),
    ("状态", lambda c, a, u: label("status", c.status)),
    ("结果", lambda c, a, u: label("outcome", c.outcome)),
    ("发起时间", lambda c, a, u: fmt_datetime(c.started_at)),
    ("办结时间", lambda c, a, u: fmt_datetime(c.completed_at)),
]
HEADERS = [h for h, _ in COLUMNS]


def table_rows(rows) -> list[list]:
    """Each (case, agency name, unit name) row as the list of column values."""
    return [[fn(case, agency, unit) for _, fn in COLUMNS] for case, agency, unit in rows]


def workbook(rows, title: str = "案件查询结果") -> bytes:
    """An .xlsx with the page's columns, header in bold."""
    wb = Workbook()
    ws = wb.active
    ws.title = title[:31]
    append_row(ws, HEADERS)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for values in table_rows(rows):
        append_row(ws, values)
    for col, width in zip("ABCDEFGHIJK", (10, 40, 18, 6, 36, 22, 10, 8, 12, 18, 18), strict=True):
        ws.column_dimensions[col].width = width
    ws.freeze_panes = "A2"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
