"""Word documents (约谈通知书, 约谈记录, 列入告知书, 列入决定书, 登记回执) rendered from templates/docx/*.docx.

Templates are docxtpl files built by templates/docx/build_templates.py; a bureau may replace them with its own
letterhead as long as it keeps the placeholders. Rendering is strict: a missing fact is an error, never a blank.
Deadlines are passed as the platform's Deadline JSON (workflows.calendar_service.deadline_json): the documents
print `ends_on` as an absolute date and `explanation` as how it was counted.
"""

from __future__ import annotations

import io
import re
from collections.abc import Mapping
from datetime import date, datetime
from pathlib import Path
from typing import Any

from docxtpl import DocxTemplate
from jinja2 import Environment, StrictUndefined, TemplateError, UndefinedError

from workflows.clock import to_local

TEMPLATE_DIR = Path(__file__).resolve().parent.parent / "templates" / "docx"
_NAME = re.compile(r"^[a-z][a-z0-9_]*$")

# template name -> what it is; the context each one needs is listed in TEMPLATE_FIELDS
TEMPLATES: dict[str, str] = {
    "interview_notice": "警示约谈通知书",
    "interview_record": "警示约谈记录",
    "blacklist_notice": "列入安全生产严重失信主体名单告知书",
    "blacklist_decision": "列入安全生产严重失信主体名单决定书",
    "registration_receipt": "安全生产技术服务机构登记建档回执",
}

# The facts each shipped template prints (dotted paths; [] marks a list of rows). Documentation and a test
# contract: a bureau's replacement template may use fewer, but no others.
TEMPLATE_FIELDS: dict[str, tuple[str, ...]] = {
    "interview_notice": (
        "bureau_name",
        "document_number",
        "agency.name",
        "agency.credit_code",
        "grounds[].text",
        "grounds[].citation",
        "legal_basis",
        "interview.time",
        "interview.place",
        "attendees_required[]",
        "contact.name",
        "contact.phone",
        "issued_on",
    ),
    "interview_record": (
        "bureau_name",
        "agency.name",
        "agency.credit_code",
        "interview.time",
        "interview.place",
        "interviewers[]",
        "recorder",
        "attendees[].name",
        "attendees[].position",
        "problems[].text",
        "problems[].citation",
        "agency_statement",
        "rectification.requirements[]",
        "rectification.deadline",
    ),
    "blacklist_notice": (
        "bureau_name",
        "document_number",
        "agency.name",
        "agency.credit_code",
        "penalty.number",
        "penalty.decided_on",
        "facts",
        "grounds[].text",
        "grounds[].citation",
        "reasons",
        "legal_basis",
        "measures[]",
        "defence.deadline",
        "contact.name",
        "contact.phone",
        "contact.address",
        "issued_on",
    ),
    "blacklist_decision": (
        "bureau_name",
        "decision_number",
        "agency.name",
        "agency.credit_code",
        "agency.legal_representative",
        "agency.address",
        "penalty.number",
        "penalty.decided_on",
        "notice.number",
        "notice.served_on",
        "defence_outcome",
        "facts",
        "grounds[].text",
        "grounds[].citation",
        "legal_basis",
        "listing.start",
        "listing.end",
        "measures[]",
        "remedies.early_removal_after_months",
        "remedies.review_body",
        "remedies.court",
        "issued_on",
    ),
    "registration_receipt": (
        "bureau_name",
        "receipt_number",
        "agency.name",
        "agency.credit_code",
        "submitted_on",
        "materials[].title",
        "materials[].status",
        "materials[].citation",
        "outcome",
        "issued_on",
    ),
}


class DocumentError(ValueError):
    """A document could not be produced: unknown template, or a fact the template needs is missing."""


def _as_date(value: date | datetime | str) -> date | datetime:
    local = to_local(value)
    if local is None:
        raise ValueError("日期为空")
    return local


def cn_date(value: date | datetime | str) -> str:
    """A date as printed on official documents: 2026年11月22日 (aware datetimes shown in Asia/Shanghai)."""
    d = _as_date(value)
    return f"{d.year}年{d.month}月{d.day}日"


def cn_datetime(value: datetime | str) -> str:
    """A moment as printed on official documents: 2026年11月25日14时30分 (Asia/Shanghai, 24-hour)."""
    d = _as_date(value)
    if not isinstance(d, datetime):
        return cn_date(d)
    return f"{cn_date(d)}{d.hour}时{d.minute:02d}分"


def _environment() -> Environment:
    env = Environment(autoescape=True, undefined=StrictUndefined)
    env.filters.update(cn_date=cn_date, cn_datetime=cn_datetime)
    return env


def template_path(template_name: str, template_dir: str | Path | None = None) -> Path:
    """The .docx file for a template name ("interview_notice" or "interview_notice.docx")."""
    name = template_name.removesuffix(".docx")
    if not _NAME.match(name):
        raise DocumentError(f"模板名称不合法：{template_name!r}")
    path = Path(template_dir or TEMPLATE_DIR) / f"{name}.docx"
    if not path.is_file():
        raise DocumentError(f"没有文书模板：{name}（可选：{', '.join(TEMPLATES)}）")
    return path


def template_variables(template_name: str, template_dir: str | Path | None = None) -> set[str]:
    """Top-level context names a template uses (its filters and loop variables excluded)."""
    tpl = DocxTemplate(template_path(template_name, template_dir))
    return set(tpl.get_undeclared_template_variables(_environment()))


def render_docx(
    template_name: str, context: Mapping[str, Any], template_dir: str | Path | None = None
) -> bytes:
    """Fill a Word template with the case facts and return the .docx bytes (strict: missing facts raise)."""
    path = template_path(template_name, template_dir)
    tpl = DocxTemplate(path)
    try:
        tpl.render(dict(context), jinja_env=_environment())
    except UndefinedError as exc:
        raise DocumentError(f"{path.stem}：缺少文书所需内容（{exc.message}）") from exc
    except (TemplateError, ValueError, TypeError) as exc:
        raise DocumentError(f"{path.stem}：文书生成失败（{exc}）") from exc
    out = io.BytesIO()
    tpl.save(out)
    return out.getvalue()


def docx_blocks(content: bytes) -> list[dict]:
    """A .docx body in reading order, for its print page: paragraphs (text, align, bold) and tables (rows).

    The print page shows exactly these words, so its text and the SHA-256 it shows belong to one file.
    """
    from docx import Document as _Docx
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    doc = _Docx(io.BytesIO(content))
    blocks: list[dict] = []
    for child in doc.element.body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            p = Paragraph(child, doc)
            align = {1: "center", 2: "right"}.get(p.paragraph_format.alignment or p.alignment or 0, "left")
            bold = any(r.bold for r in p.runs if r.text.strip())
            indent = bool(p.paragraph_format.first_line_indent)
            blocks.append({"kind": "p", "text": p.text, "align": align, "bold": bold, "indent": indent})
        elif tag == "tbl":
            rows = [[c.text for c in row.cells] for row in Table(child, doc).rows]
            blocks.append({"kind": "table", "rows": rows})
    return blocks
