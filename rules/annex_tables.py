"""[LY22] 附件2 法定评价项目和报告清单 and 附件3 企业隐患排查清单: columns, .xlsx templates, row checks."""
import io
from datetime import date, datetime

from openpyxl import Workbook, load_workbook

from .spreadsheet import append_row

ANNEXES = {
    "annex2": {"title": "附件2 法定评价项目和报告清单", "source": "[LY22] 四(一)、附件2",
               "columns": ["项目名称", "项目时间", "报告评审时间", "评审机关", "生产经营单位", "所属行业", "所在县区",
                           "评价机构", "注册地", "项目负责人"],
               "dates": ["项目时间", "报告评审时间"]},
    "annex3": {"title": "附件3 企业隐患排查清单", "source": "[LY22] 四(一)、附件3",
               "columns": ["企业名称", "隐患排查项目", "项目报告名称", "项目所在地（县区乡镇）", "项目检查时间",
                           "报告出具时间", "复查时间", "整改情况"],
               "dates": ["项目检查时间", "报告出具时间"]},
}
MAX_ROWS = 2000


def template_xlsx(annex: str) -> bytes:
    """An empty .xlsx with the annex's header row (序号 first, as on the paper form)."""
    spec = ANNEXES[annex]
    wb = Workbook()
    ws = wb.active
    ws.title = spec["title"][:31]
    append_row(ws, ["序号", *spec["columns"]])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _cell(value) -> str:
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return "" if value is None else str(value).strip()


def parse_rows(annex: str, lines: str) -> tuple[list[list[str]], list[str]]:
    """Tab-separated rows (as the form holds them) → rows and Chinese row errors (required cells, dates)."""
    spec = ANNEXES[annex]
    rows, errors = [], []
    for n, line in enumerate([x for x in (lines or "").splitlines() if x.strip()], start=1):
        cells = [c.strip() for c in line.split("\t")]
        cells += [""] * (len(spec["columns"]) - len(cells))
        if len(cells) > len(spec["columns"]):
            errors.append(f"第{n}行：列数多于{len(spec['columns'])}列")
            continue
        row = dict(zip(spec["columns"], cells))
        missing = [c for c in spec["columns"][:2] if not row[c]]
        if missing:
            errors.append(f"第{n}行：{'、'.join(missing)}不能为空")
        for col in spec["dates"]:
            if row[col]:
                try:
                    date.fromisoformat(row[col])
                except ValueError:
                    errors.append(f"第{n}行：{col}应为日期（YYYY-MM-DD）")
        rows.append(cells)
    if len(rows) > MAX_ROWS:
        errors.append(f"最多{MAX_ROWS}行")
    return rows, errors


def import_xlsx(annex: str, content: bytes) -> tuple[str, list[str]]:
    """Read a filled template: the rows as tab-separated lines, or row-level errors (then nothing is taken)."""
    spec = ANNEXES[annex]
    try:
        ws = load_workbook(io.BytesIO(content), read_only=True, data_only=True).active
        rows = list(ws.iter_rows(values_only=True))
    except Exception:  # noqa: BLE001 - any unreadable file is the user's error, reported as such
        return "", ["无法读取该文件，请使用平台提供的 .xlsx 模板"]
    header = [_cell(c) for c in (rows[0] if rows else [])]
    if header[1:len(spec["columns"]) + 1] != spec["columns"]:
        return "", [f"表头应为：序号、{'、'.join(spec['columns'])}"]
    lines = ["\t".join(_cell(c) for c in row[1:len(spec["columns"]) + 1])
             for row in rows[1:] if any(_cell(c) for c in row[1:len(spec["columns"]) + 1])]
    _, errors = parse_rows(annex, "\n".join(lines))
    return ("", errors) if errors else ("\n".join(lines), [])
