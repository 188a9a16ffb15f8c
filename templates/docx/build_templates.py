"""Build the Word templates in this folder (docxtpl/Jinja placeholders): `python templates/docx/build_templates.py`.

A bureau may replace any .docx here with its own letterhead, keeping the placeholders (see rules/documents.py).
Output is byte-for-byte reproducible (fixed zip timestamps and core properties), so the files diff cleanly.
"""

from __future__ import annotations

import io
import sys
import zipfile
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

HERE = Path(__file__).resolve().parent
FONT, FONT_EAST_ASIA = "SimSun", "宋体"
BODY_PT, TITLE_PT, TABLE_PT = 16, 22, 12  # 三号 body, 二号 title, 小四 tables (GB/T 9704-2012 sizes)
_FIXED_TIME = datetime(2026, 1, 1, tzinfo=UTC)


class Builder:
    """A python-docx document with 公文-like defaults: A4, 宋体, centred title, 2-character first-line indent."""

    def __init__(self, title: str) -> None:
        self.doc = Document()
        section = self.doc.sections[0]
        section.page_width, section.page_height = Cm(21), Cm(29.7)
        section.top_margin, section.bottom_margin = Cm(3.7), Cm(3.5)
        section.left_margin, section.right_margin = Cm(2.8), Cm(2.6)
        normal = self.doc.styles["Normal"]
        normal.font.name, normal.font.size = FONT, Pt(BODY_PT)
        rpr = normal.element.get_or_add_rPr()
        fonts = rpr.get_or_add_rFonts()
        fonts.set(qn("w:eastAsia"), FONT_EAST_ASIA)
        lang = rpr.find(qn("w:lang"))
        if lang is None:
            lang = rpr.makeelement(qn("w:lang"), {})
            rpr.append(lang)
        lang.set(qn("w:eastAsia"), "zh-CN")
        props = self.doc.core_properties
        props.title, props.author, props.last_modified_by = title, "安服监管", "安服监管"
        props.language, props.revision = "zh-CN", 1
        props.created = props.modified = _FIXED_TIME
        props.comments = "由 templates/docx/build_templates.py 生成，占位符见 rules/documents.py"

    def para(
        self,
        text: str = "",
        *,
        indent: bool = True,
        align: str = "left",
        bold: bool = False,
        size: int | None = None,
    ) -> None:
        """One paragraph in one run, so docxtpl sees each {{ placeholder }} whole."""
        p = self.doc.add_paragraph()
        fmt = p.paragraph_format
        fmt.alignment = {
            "left": WD_ALIGN_PARAGRAPH.JUSTIFY,
            "center": WD_ALIGN_PARAGRAPH.CENTER,
            "right": WD_ALIGN_PARAGRAPH.RIGHT,
        }[align]
        fmt.first_line_indent = Pt(2 * BODY_PT) if indent and align == "left" else None
        fmt.line_spacing_rule, fmt.line_spacing = WD_LINE_SPACING.EXACTLY, Pt(max(28, (size or BODY_PT) + 8))
        fmt.space_before = fmt.space_after = Pt(0)
        if text:
            run = p.add_run(text)
            run.bold = bold or None
            if size:
                run.font.size = Pt(size)

    def tag(self, jinja: str) -> None:
        """A paragraph that holds only a docxtpl `{%p … %}` tag (removed on rendering)."""
        self.para(jinja, indent=False)

    def title(self, text: str) -> None:
        """The document's name, centred and bold, with a blank line after it."""
        self.para(text, align="center", bold=True, size=TITLE_PT)

    def seal(self) -> None:
        """Issuing authority, seal placeholder and date, right-aligned."""
        self.para()
        self.para("{{ bureau_name }}（印章）", align="right")
        self.para("{{ issued_on|cn_date }}", align="right")

    def table(self, headers: list[str], loop: str, cells: list[str], widths_cm: list[float]) -> None:
        """A header row plus one row per item, repeated by docxtpl `{%tr … %}` rows."""
        t = self.doc.add_table(rows=4, cols=len(headers))
        t.style = "Table Grid"
        t.alignment = WD_TABLE_ALIGNMENT.CENTER
        t.autofit = False
        for column, width in zip(t.columns, widths_cm, strict=True):
            column.width = Cm(width)
            for cell in column.cells:
                cell.width = Cm(width)
        rows = [
            headers,
            [f"{{%tr for {loop} %}}"] + [""] * (len(headers) - 1),
            cells,
            ["{%tr endfor %}"] + [""] * (len(headers) - 1),
        ]
        for r, values in enumerate(rows):
            for c, value in enumerate(values):
                cell = t.cell(r, c)
                run = cell.paragraphs[0].add_run(value)
                run.font.size = Pt(TABLE_PT)
                run.bold = (r == 0) or None
                centred = r == 0 or (c == 0 and values[0] == "{{ loop.index }}")
                cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER if centred else None

    def bytes(self) -> bytes:
        """The .docx with fixed zip timestamps, so a rebuild is byte-identical."""
        raw = io.BytesIO()
        self.doc.save(raw)
        out = io.BytesIO()
        with zipfile.ZipFile(raw) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
            for info in src.infolist():
                fixed = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
                fixed.compress_type, fixed.external_attr = zipfile.ZIP_DEFLATED, 0o644 << 16
                dst.writestr(fixed, src.read(info.filename))
        return out.getvalue()


def _addressee(b: Builder) -> None:
    b.para("{{ agency.name }}（统一社会信用代码：{{ agency.credit_code }}）：", indent=False)


def _grounds(b: Builder, var: str = "grounds") -> None:
    b.tag(f"{{%p for g in {var} %}}")
    b.para("{{ loop.index }}. {{ g.text }}（{{ g.citation }}）；")
    b.tag("{%p endfor %}")


def interview_notice() -> Builder:
    """警示约谈通知书."""
    b = Builder("警示约谈通知书")
    b.para("{{ bureau_name }}", align="center", bold=True)
    b.title("警示约谈通知书")
    b.para("{{ document_number }}", align="center")
    _addressee(b)
    b.para("经查，你单位存在以下情形：")
    _grounds(b)
    b.para("根据{{ legal_basis }}的规定，本机关决定对你单位进行警示约谈。现将有关事项通知如下：")
    b.para("一、约谈时间：{{ interview.time|cn_datetime }}。")
    b.para("二、约谈地点：{{ interview.place }}。")
    b.para("三、参加人员：你单位{{ attendees_required|join('、') }}须按时参加。")
    b.para("四、请携带与上述情形有关的书面说明和证明材料。")
    b.para("五、联系人：{{ contact.name }}；联系电话：{{ contact.phone }}。")
    b.seal()
    return b


def interview_record() -> Builder:
    """约谈记录."""
    b = Builder("警示约谈记录")
    b.title("警示约谈记录")
    b.para("约谈机关：{{ bureau_name }}", indent=False)
    b.para("被约谈单位：{{ agency.name }}（统一社会信用代码：{{ agency.credit_code }}）", indent=False)
    b.para("约谈时间：{{ interview.time|cn_datetime }}", indent=False)
    b.para("约谈地点：{{ interview.place }}", indent=False)
    b.para("约谈人：{{ interviewers|join('、') }}    记录人：{{ recorder }}", indent=False)
    b.para("被约谈单位参加人员：", indent=False)
    b.table(["姓名", "职务"], "a in attendees", ["{{ a.name }}", "{{ a.position }}"], [5.0, 10.6])
    b.para("一、约谈事由及发现的问题", indent=False, bold=True)
    b.tag("{%p for p in problems %}")
    b.para("{{ loop.index }}. {{ p.text }}{% if p.citation %}（{{ p.citation }}）{% endif %}")
    b.tag("{%p endfor %}")
    b.para("二、被约谈单位陈述", indent=False, bold=True)
    b.para("{{ agency_statement }}")
    b.para("三、整改要求", indent=False, bold=True)
    b.tag("{%p for r in rectification.requirements %}")
    b.para("{{ loop.index }}. {{ r }}")
    b.tag("{%p endfor %}")
    b.para("四、整改期限", indent=False, bold=True)
    b.para(
        "请于{{ rectification.deadline.ends_on|cn_date }}24时前完成整改，并向{{ bureau_name }}书面报告整改情况。"
        "期限计算：{{ rectification.deadline.explanation }}。"
        "{% if rectification.deadline.provisional %}（该日期按暂定日历计算，以国务院办公厅公布的放假安排为准。）{% endif %}"
    )
    b.para()
    b.para("被约谈单位参加人员（签字）：                    年    月    日", indent=False)
    b.para("约谈人（签字）：                    记录人（签字）：", indent=False)
    return b


def blacklist_notice() -> Builder:
    """列入严重失信主体名单告知书 (列入前告知，国办发〔2020〕49号(八))."""
    b = Builder("列入安全生产严重失信主体名单告知书")
    b.para("{{ bureau_name }}", align="center", bold=True)
    b.title("列入安全生产严重失信主体名单告知书")
    b.para("{{ document_number }}", align="center")
    _addressee(b)
    b.para(
        "本机关于{{ penalty.decided_on|cn_date }}对你单位作出行政处罚决定（{{ penalty.number }}）。经查明：{{ facts }}。"
    )
    b.para("上述行为属于下列情形：")
    _grounds(b)
    b.para("理由：{{ reasons }}。")
    b.para("依据{{ legal_basis }}的规定，本机关拟将你单位列入安全生产严重失信主体名单，并采取以下措施：")
    b.tag("{%p for m in measures %}")
    b.para("{{ loop.index }}. {{ m }}；")
    b.tag("{%p endfor %}")
    b.para(
        "你单位依法享有陈述、申辩的权利。如有异议，请于收到本告知书之日起{{ defence.deadline.days }}个工作日内，"
        "即{{ defence.deadline.ends_on|cn_date }}24时前，向本机关提出书面陈述、申辩意见并提供相关证据材料"
        "（期限计算：{{ defence.deadline.explanation }}）。逾期未提出的，视为放弃陈述、申辩的权利。"
        "{% if defence.deadline.provisional %}（该日期按暂定日历计算，以国务院办公厅公布的放假安排为准。）{% endif %}"
    )
    b.para("联系人：{{ contact.name }}；联系电话：{{ contact.phone }}；地址：{{ contact.address }}。")
    b.seal()
    return b


def blacklist_decision() -> Builder:
    """列入严重失信主体名单决定书."""
    b = Builder("列入安全生产严重失信主体名单决定书")
    b.para("{{ bureau_name }}", align="center", bold=True)
    b.title("列入安全生产严重失信主体名单决定书")
    b.para("{{ decision_number }}", align="center")
    b.para("当事人：{{ agency.name }}", indent=False)
    b.para("统一社会信用代码：{{ agency.credit_code }}", indent=False)
    b.para("法定代表人（主要负责人）：{{ agency.legal_representative }}", indent=False)
    b.para("地址：{{ agency.address }}", indent=False)
    b.para(
        "本机关于{{ penalty.decided_on|cn_date }}对你单位作出行政处罚决定（{{ penalty.number }}），"
        "于{{ notice.served_on|cn_date }}送达列入告知书（{{ notice.number }}）。{{ defence_outcome }}"
    )
    b.para("经查明：{{ facts }}。")
    b.para("上述行为属于下列情形：")
    _grounds(b)
    b.para("依据{{ legal_basis }}的规定，本机关决定将你单位列入安全生产严重失信主体名单。")
    b.para(
        "列入期限：自{{ listing.start|cn_date }}起至"
        "{{ listing.end|cn_date if listing.end else '决定解除之日' }}止。"
        "{% if listing.end %}期限届满，本机关将移出名单并停止公示。{% endif %}"
    )
    b.para("采取以下措施：")
    b.tag("{%p for m in measures %}")
    b.para("{{ loop.index }}. {{ m }}；")
    b.tag("{%p endfor %}")
    b.para(
        "信用修复：自列入之日起满{{ remedies.early_removal_after_months }}个月，你单位符合规定条件的，"
        "可以向本机关申请提前移出严重失信主体名单。"
    )
    b.para(
        "如不服本决定，可以自收到本决定书之日起六十日内向{{ remedies.review_body }}申请行政复议，"
        "或者自收到本决定书之日起六个月内依法向{{ remedies.court }}提起行政诉讼。"
    )
    b.seal()
    return b


def registration_receipt() -> Builder:
    """登记建档回执."""
    b = Builder("安全生产技术服务机构登记建档回执")
    b.para("{{ bureau_name }}", align="center", bold=True)
    b.title("安全生产技术服务机构登记建档回执")
    b.para("编号：{{ receipt_number }}", align="center")
    _addressee(b)
    b.para("你单位于{{ submitted_on|cn_date }}提交的登记材料已收到，清单如下：")
    b.table(
        ["序号", "材料名称", "情况", "依据"],
        "m in materials",
        ["{{ loop.index }}", "{{ m.title }}", "{{ m.status }}", "{{ m.citation }}"],
        [1.4, 5.6, 2.0, 6.6],
    )
    b.para("{{ outcome }}")
    b.seal()
    return b


TEMPLATES: dict[str, Callable[[], Builder]] = {
    "interview_notice": interview_notice,
    "interview_record": interview_record,
    "blacklist_notice": blacklist_notice,
    "blacklist_decision": blacklist_decision,
    "registration_receipt": registration_receipt,
}


def build(target: Path = HERE) -> list[Path]:
    """Write every template into `target` and return the paths."""
    target.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, make in TEMPLATES.items():
        path = target / f"{name}.docx"
        path.write_bytes(make().bytes())
        paths.append(path)
    return paths


if __name__ == "__main__":
    for written in build(Path(sys.argv[1]) if len(sys.argv) > 1 else HERE):
        print(written)
