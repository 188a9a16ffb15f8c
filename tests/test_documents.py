"""Word documents: each template renders the case facts, reopens in python-docx, and refuses missing facts."""

import importlib.util
import io
import shutil
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from docx import Document
from docx.shared import Cm

from rules.city_policy import load_city
from rules.credit_code import make_credit_code
from rules.documents import (
    TEMPLATE_DIR,
    TEMPLATE_FIELDS,
    TEMPLATES,
    DocumentError,
    cn_date,
    cn_datetime,
    render_docx,
    template_variables,
)

SH = ZoneInfo("Asia/Shanghai")
AGENCY = {
    "name": "晋城市安&信安全技术有限公司",
    "credit_code": make_credit_code("91140500MA0JC0001"),
    "legal_representative": "王建国",
    "address": "晋城市城区凤台东街88号",
}
CONTACT = {"name": "李明", "phone": "0356-2021234", "address": "晋城市城区泽州路1号"}


def deadline(start: str, days: int, ends_on: str, provisional: bool = False) -> dict:
    """A deadline in the shape workflows.calendar_service.deadline_json returns."""
    return {
        "start": start,
        "days": days,
        "kind": "working",
        "ends_on": ends_on,
        "due_at": f"{date.fromisoformat(ends_on) + timedelta(days=1)}T00:00:00+08:00",
        "provisional": provisional,
        "explanation": f"自{cn_date(start)}起算（当日不计入），{days}个工作日，至{cn_date(ends_on)}24时止",
    }


def grounds(key: str, rows: str = "interview_grounds", n: int = 2) -> list[dict]:
    """The first n grounds of a city, with their citations written out."""
    city = load_city(key)
    return [{"text": g["text"], "citation": city.cite(g)} for g in getattr(city, rows)[:n]]


def text_of(data: bytes) -> str:
    """All text of a .docx (paragraphs and table cells), as python-docx reads it."""
    doc = Document(io.BytesIO(data))
    parts = [p.text for p in doc.paragraphs]
    parts += [c.text for t in doc.tables for row in t.rows for c in row.cells]
    return "\n".join(parts)


def notice_context() -> dict:
    city = load_city("jincheng")
    return {
        "bureau_name": city.bureau_name,
        "document_number": "晋市应急约〔2026〕7号",
        "agency": AGENCY,
        "grounds": grounds("jincheng"),
        "legal_basis": city.cite(city.interview.legal_basis),
        "interview": {
            "time": datetime(2026, 11, 25, 6, 30, tzinfo=ZoneInfo("UTC")),
            "place": "市应急管理局301会议室",
        },
        "attendees_required": list(city.interview.attendees_required) + ["技术负责人"],
        "contact": CONTACT,
        "issued_on": date(2026, 11, 20),
    }


def assert_clean(text: str) -> None:
    assert "{{" not in text and "{%" not in text and "}}" not in text


def test_interview_notice_carries_the_case_facts():
    text = text_of(render_docx("interview_notice", notice_context()))
    assert_clean(text)
    for fact in (
        "晋城市应急管理局",
        "警示约谈通知书",
        "晋市应急约〔2026〕7号",
        AGENCY["name"],
        AGENCY["credit_code"],
        "2026年11月25日14时30分",
        "市应急管理局301会议室",
        "主要负责人、技术负责人",
        "发现安全技术报告存在重大疏漏问题的（《晋城市安全生产技术服务机构管理办法(试行)》第十七条(一)）",
        "根据《晋城市安全生产技术服务机构管理办法(试行)》第十七条的规定",
        "0356-2021234",
        "2026年11月20日",
        "（印章）",
    ):
        assert fact in text, fact


def test_interview_record_prints_the_deadline_and_how_it_was_counted():
    ctx = {
        "bureau_name": "常州市武进区应急管理局",
        "agency": AGENCY,
        "interview": {"time": "2026-11-25T09:00:00+08:00", "place": "区应急管理局二楼会议室"},
        "interviewers": ["张科长", "陈科员"],
        "recorder": "陈科员",
        "attendees": [{"name": "王建国", "position": "总经理"}, {"name": "赵丽", "position": "技术负责人"}],
        "problems": grounds("wujin", n=3) + [{"text": "半年业务报表迟报", "citation": ""}],
        "agency_statement": "对所列问题无异议，已着手整改。",
        "rectification": {
            "requirements": ["补传合同扫描件", "提交整改报告"],
            "deadline": deadline("2026-11-25", 15, "2026-12-16"),
        },
    }
    text = text_of(render_docx("interview_record.docx", ctx))
    assert_clean(text)
    for fact in (
        "王建国",
        "总经理",
        "赵丽",
        "张科长、陈科员",
        "2026年11月25日9时00分",
        "违反本办法第十四、十五条逃避监管的",
        "《武进区安全生产技术服务机构监督管理办法》第二十四条(一)",
        "3. 发现问题不及时进行整改的",
        "4. 半年业务报表迟报",
        "对所列问题无异议",
        "补传合同扫描件",
        "2026年12月16日24时前",
        "自2026年11月25日起算（当日不计入），15个工作日，至2026年12月16日24时止",
    ):
        assert fact in text, fact
    assert "4. 半年业务报表迟报（" not in text  # an empty citation prints no brackets
    assert "暂定日历" not in text


def test_blacklist_notice_states_the_defence_right_with_its_end_date():
    city = load_city("jincheng")
    ctx = {
        "bureau_name": city.bureau_name,
        "document_number": "晋市应急信告〔2026〕2号",
        "agency": AGENCY,
        "penalty": {"number": "晋市应急罚〔2026〕15号", "decided_on": date(2026, 10, 30)},
        "facts": "该机构在某煤矿安全现状评价项目中出具虚假报告。",
        "reasons": "性质恶劣、情节严重。",
        "grounds": grounds("jincheng", "blacklist_grounds", 3),
        "legal_basis": city.cite(city.blacklist.legal_basis),
        "measures": [f"在{c}公示" for c in city.blacklist.publication_channels]
        + [city.blacklist.restriction],
        "defence": {
            "deadline": deadline(
                "2026-11-23", city.blacklist.defence_window_working_days, "2026-11-30", provisional=True
            )
        },
        "contact": CONTACT,
        "issued_on": date(2026, 11, 23),
    }
    text = text_of(render_docx("blacklist_notice", ctx))
    assert_clean(text)
    for fact in (
        "列入安全生产严重失信主体名单告知书",
        "晋市应急罚〔2026〕15号",
        "2026年10月30日",
        "出具虚假报告。",
        "出具虚假报告或者证书（《晋城市安全生产技术服务机构管理办法(试行)》第十八条）",
        "《安全生产严重失信主体名单管理办法》（应急管理部令第11号）；《晋城市",
        "在国家企业信用信息公示系统公示",
        "依法限制其在晋城市范围内开展安全技术服务业务",
        "5个工作日内",
        "即2026年11月30日24时前",
        "视为放弃陈述、申辩的权利",
        "暂定日历",
        AGENCY["credit_code"],
    ):
        assert fact in text, fact


def decision_context(key: str, listing_end: date | None) -> dict:
    city = load_city(key)
    return {
        "bureau_name": city.bureau_name,
        "decision_number": "列入决定〔2026〕1号",
        "agency": AGENCY,
        "penalty": {"number": "罚〔2026〕15号", "decided_on": "2026-10-30"},
        "notice": {"number": "信告〔2026〕2号", "served_on": date(2026, 11, 23)},
        "defence_outcome": "你单位在规定期限内未提出陈述、申辩意见。",
        "facts": "出具虚假报告。",
        "grounds": grounds(key, "blacklist_grounds", 1),
        "legal_basis": city.cite(city.blacklist.legal_basis),
        "listing": {"start": date(2026, 12, 8), "end": listing_end},
        "measures": [city.blacklist.restriction],
        "remedies": {
            "early_removal_after_months": city.blacklist.early_removal_after_months,
            "review_body": f"{city.parent_name}人民政府",
            "court": "有管辖权的人民法院",
        },
        "issued_on": date(2026, 12, 8),
    }


def test_blacklist_decision_with_a_three_year_period():
    text = text_of(render_docx("blacklist_decision", decision_context("jincheng", date(2029, 12, 7))))
    assert_clean(text)
    for fact in (
        "列入决定〔2026〕1号",
        AGENCY["name"],
        AGENCY["credit_code"],
        "王建国",
        "晋城市城区凤台东街88号",
        "罚〔2026〕15号",
        "信告〔2026〕2号",
        "未提出陈述、申辩意见",
        "租借资质（",
        "自2026年12月8日起至2029年12月7日止",
        "期限届满",
        "满12个月",
        "山西省人民政府",
        "六十日内",
        "六个月内",
    ):
        assert fact in text, fact


def test_wujin_decision_runs_until_lifted():
    text = text_of(render_docx("blacklist_decision", decision_context("wujin", None)))
    assert "自2026年12月8日起至决定解除之日止" in text
    assert "期限届满" not in text
    assert "常州市行政区域内实施行业禁入" in text and "常州市人民政府" in text


def test_registration_receipt_lists_the_materials():
    city = load_city("jincheng")
    ctx = {
        "bureau_name": city.bureau_name,
        "receipt_number": "晋建档〔2026〕0012",
        "agency": AGENCY,
        "submitted_on": date(2026, 11, 2),
        "outcome": "经审核，同意登记建档。",
        "issued_on": date(2026, 11, 9),
        "materials": [
            {"title": m["title"], "status": "已提交", "citation": city.cite(m)}
            for m in city.registration_materials
        ],
    }
    data = render_docx("registration_receipt", ctx)
    table = Document(io.BytesIO(data)).tables[0]
    assert len(table.rows) == 1 + len(city.registration_materials)
    assert table.rows[1].cells[1].text == "营业执照复印件"
    assert "同意登记建档" in text_of(data)


def test_missing_fact_is_an_error_not_a_blank():
    ctx = notice_context()
    del ctx["interview"]["place"]
    with pytest.raises(DocumentError, match="place"):
        render_docx("interview_notice", ctx)


@pytest.mark.parametrize("name", ["no_such_template", "../rules/x", "Interview_Notice"])
def test_unknown_or_unsafe_template_names_are_refused(name):
    with pytest.raises(DocumentError):
        render_docx(name, {})


def test_a_bureau_template_directory_is_honoured(tmp_path):
    shutil.copy(TEMPLATE_DIR / "interview_notice.docx", tmp_path / "interview_notice.docx")
    assert "警示约谈通知书" in text_of(
        render_docx("interview_notice", notice_context(), template_dir=tmp_path)
    )
    with pytest.raises(DocumentError):
        render_docx("interview_record", {}, template_dir=tmp_path)


@pytest.mark.parametrize("name", sorted(TEMPLATES))
def test_shipped_templates_are_a4_simsun_and_use_only_documented_fields(name):
    doc = Document(str(TEMPLATE_DIR / f"{name}.docx"))
    section = doc.sections[0]
    assert abs(section.page_width - Cm(21)) < Cm(0.01) and abs(section.page_height - Cm(29.7)) < Cm(0.01)
    assert doc.styles["Normal"].font.name == "SimSun"
    assert doc.paragraphs[[p.text for p in doc.paragraphs].index(TEMPLATES[name])].alignment == 1  # CENTER
    documented = {f.split(".")[0].removesuffix("[]") for f in TEMPLATE_FIELDS[name]}
    assert template_variables(name) <= documented  # a bureau copy may print fewer facts, never others


def test_template_builder_is_reproducible(tmp_path):
    spec = importlib.util.spec_from_file_location("build_templates", TEMPLATE_DIR / "build_templates.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    first = {p.name: p.read_bytes() for p in module.build(tmp_path / "a")}
    second = {p.name: p.read_bytes() for p in module.build(tmp_path / "b")}
    assert first == second and set(first) == {f"{n}.docx" for n in TEMPLATES}


def test_date_formats():
    assert cn_date("2026-03-02") == "2026年3月2日"
    assert cn_datetime(datetime(2026, 3, 1, 23, 5, tzinfo=ZoneInfo("UTC"))) == "2026年3月2日7时05分"
    assert cn_datetime(datetime(2026, 3, 2, 9, 0, tzinfo=SH)) == "2026年3月2日9时00分"


def test_rendering_is_strict_about_bad_dates():
    ctx = notice_context()
    ctx["issued_on"] = "not a date"
    with pytest.raises(DocumentError):
        render_docx("interview_notice", ctx)


def test_templates_live_beside_their_builder():
    assert (TEMPLATE_DIR / "build_templates.py").is_file()
    assert Path(TEMPLATE_DIR).name == "docx"
