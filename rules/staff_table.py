"""The staff roster as an .xlsx sheet (人员库导入导出): one row per certificate, rows of one person merged.

Import reads the first eight columns by their header; the columns after them (computed on export: months
insured, 从业人员, exam) are ignored, so an exported sheet imports back unchanged.
"""
import io
from datetime import date, datetime

from openpyxl import Workbook, load_workbook

COLUMNS = ["姓名", "身份证号码", "入职日期", "本单位社保起始日期", "资格类别", "资格名称或职称", "证书编号", "证书有效期至"]
EXTRA = ["状态", "社保连续月数", "是否计为从业人员", "业务考核合格日期", "提示"]
MAX_ROWS = 2000


def _cell(value) -> str:
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return "" if value is None else str(value).strip()


def export_xlsx(rows: list[list]) -> bytes:
    """A sheet with the header and the given rows (COLUMNS then EXTRA values)."""
    wb = Workbook()
    ws = wb.active
    ws.title = "人员库"
    ws.append(COLUMNS + EXTRA)
    for row in rows:
        ws.append([_cell(v) for v in row])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def read_xlsx(content: bytes) -> tuple[list[tuple[int, dict]], list[str]]:
    """(person bodies with their first row number, row errors): bodies are the StaffIn input of each person."""
    try:
        ws = load_workbook(io.BytesIO(content), read_only=True, data_only=True).active
        rows = list(ws.iter_rows(values_only=True))
    except Exception:  # noqa: BLE001 - an unreadable file is the user's error, reported as such
        return [], ["无法读取该文件，请使用平台导出的 .xlsx 人员库表格"]
    header = [_cell(c) for c in (rows[0] if rows else [])]
    if header[:len(COLUMNS)] != COLUMNS:
        return [], [f"表头应为：{'、'.join(COLUMNS)}"]
    if len(rows) - 1 > MAX_ROWS:
        return [], [f"最多{MAX_ROWS}行"]
    people: dict[str, tuple[int, dict]] = {}
    errors = []
    for line, raw in enumerate(rows[1:], start=2):
        cells = dict(zip(COLUMNS, [_cell(c) for c in raw[:len(COLUMNS)]] + [""] * len(COLUMNS)))
        if not any(cells.values()):
            continue
        key = cells["身份证号码"].upper() or f"#{line}"
        body = {"name": cells["姓名"], "id_number": cells["身份证号码"], "employed_on": cells["入职日期"] or None,
                "insured_since": cells["本单位社保起始日期"] or None, "certificates": []}
        if key in people:
            first, body = people[key]
            if cells["姓名"] and cells["姓名"] != body["name"]:
                errors.append(f"第{line}行：同一身份证号码与第{first}行姓名不一致")
        else:
            people[key] = (line, body)
        if any(cells[c] for c in COLUMNS[4:]):
            body["certificates"].append({"kind": cells["资格类别"], "title": cells["资格名称或职称"],
                                         "number": cells["证书编号"], "expires_on": cells["证书有效期至"] or None})
    return list(people.values()), errors
