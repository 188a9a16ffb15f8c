"""A periodic report's project table (e.g. [WJ] 附件3 工作报表): .xlsx template, row checks, import.

The columns come from the city's `reports.yaml`; rows travel as tab-separated lines (as the form holds them),
序号 being the line number. An imported file with any bad row yields only the row errors: nothing is taken.
"""
import io
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font

MAX_ROWS = 2000
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def template_xlsx(title: str, columns: tuple[dict, ...], rows: list[list[str]] | None = None) -> bytes:
    """The table as .xlsx: a header row (序号 first, as on the paper form), then any given rows."""
    wb = Workbook()
    ws = wb.active
    ws.title = title[:31]
    ws.append(["序号", *[c["name"] for c in columns]])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for n, row in enumerate(rows or [], start=1):
        ws.append([n, *row])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _cell(value) -> str:
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return "" if value is None else str(value).strip()


def _check_row(n: int, columns: tuple[dict, ...], row: dict[str, str]) -> list[str]:
    errors = []
    missing = [c["name"] for c in columns if c["required"] and not row[c["name"]]]
    if missing:
        errors.append(f"第{n}行：{'、'.join(missing)}不能为空")
    dates: dict[str, date] = {}
    for c in columns:
        value = row[c["name"]]
        if not value:
            continue
        if c["type"] == "date":
            try:
                dates[c["name"]] = date.fromisoformat(value)
            except ValueError:
                errors.append(f"第{n}行：{c['name']}应为日期（YYYY-MM-DD）")
        elif c["type"] == "number":
            try:
                amount = Decimal(value)
            except InvalidOperation:
                errors.append(f"第{n}行：{c['name']}应为数字")
                continue
            if not amount.is_finite() or amount < 0:
                errors.append(f"第{n}行：{c['name']}不能为负数")
    signed, done = dates.get("签约时间"), dates.get("完成时间")
    if signed and done and done < signed:
        errors.append(f"第{n}行：完成时间不能早于签约时间")
    return errors


def parse_rows(columns: tuple[dict, ...], lines: str) -> tuple[list[list[str]], list[str]]:
    """Tab-separated rows → rows and Chinese row errors (required cells, dates, amounts, column count)."""
    rows, errors = [], []
    for n, line in enumerate([x for x in (lines or "").splitlines() if x.strip()], start=1):
        cells = [c.strip() for c in line.split("\t")]
        if len(cells) > len(columns):
            errors.append(f"第{n}行：列数多于{len(columns)}列")
            continue
        cells += [""] * (len(columns) - len(cells))
        errors.extend(_check_row(n, columns, dict(zip([c["name"] for c in columns], cells))))
        rows.append(cells)
    if len(rows) > MAX_ROWS:
        errors.append(f"最多{MAX_ROWS}行")
    return rows, errors


def import_xlsx(columns: tuple[dict, ...], content: bytes) -> tuple[str, list[str]]:
    """A filled template: its rows as tab-separated lines, or every row's errors (then nothing is taken)."""
    names = [c["name"] for c in columns]
    try:
        ws = load_workbook(io.BytesIO(content), read_only=True, data_only=True).active
        rows = list(ws.iter_rows(values_only=True))
    except Exception:  # noqa: BLE001 - any unreadable file is the user's error, reported as such
        return "", ["无法读取该文件，请使用平台提供的 .xlsx 模板"]
    header = [_cell(c) for c in (rows[0] if rows else [])]
    if header[1:len(names) + 1] != names:
        return "", [f"表头应为：序号、{'、'.join(names)}"]
    lines = ["\t".join(_cell(c) for c in row[1:len(names) + 1])
             for row in rows[1:] if any(_cell(c) for c in row[1:len(names) + 1])]
    if any(_cell(c) for row in rows[1:] for c in row[len(names) + 1:]):
        return "", [f"表格只应有{len(names) + 1}列（序号、{'、'.join(names)}）"]
    _, errors = parse_rows(columns, "\n".join(lines))
    return ("", errors) if errors else ("\n".join(lines), [])
