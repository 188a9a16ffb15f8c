"""Formal documents say what was entered, in formal words (issue 9): times in Asia/Shanghai, print page = .docx,
citations by the document's full title ([JC] → 《晋城市…》), no internal codes, user punctuation not doubled."""
import hashlib
import io
import re

import docx
from freezegun import freeze_time

from models import Document, db
from tests.sanctions_factories import complete, registered_agency
from tests.test_blacklist import INVESTIGATION
from tests.test_interview import NOTICE, RECORD

CODES = re.compile(r"\[[A-Z0-9]+\]|JC-\d|T\d\d:\d\d")
JC_TITLE = "《晋城市安全生产技术服务机构管理办法(试行)》"


def docx_text(content: bytes) -> str:
    d = docx.Document(io.BytesIO(content))
    return "\n".join(p.text for p in d.paragraphs) + "\n" + "\n".join(
        c.text for t in d.tables for r in t.rows for c in r.cells)


def page_text(html: str) -> str:
    """Visible text of a page (tags and scripts dropped, entities kept as typed)."""
    html = re.sub(r"(?s)<(script|style)\b.*?</\1>", " ", html)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).replace("&#34;", '"').replace("&#39;", "'")


def _interview(api_as):
    agency_api, agency_row = registered_agency(api_as)
    city, leader = api_as("city_official", name="赵科长"), api_as("leader", name="钱局长")
    res = city.post("/api/cases", json={"process": "interview", "data": dict(
        NOTICE, interview_time="2026-12-20T09:30", agency_id=agency_row.id)})
    assert res.status_code == 201, res.get_json()
    case_id = res.get_json()["id"]
    complete(leader, "approve_notice", {"decision": "approve"})
    return agency_api, city, case_id


def _doc(case_id: int, kind: str) -> Document:
    return db.session.query(Document).filter_by(case_id=case_id, kind=kind).one()


def test_printed_notice_and_docx_show_the_entered_time_0930(api_as, client):
    """One time rule (workflows/clock.to_local): '2026-12-20T09:30' typed in Shanghai prints as 9时30分, not 17:30."""
    with freeze_time("2026-11-23 09:00:00+08:00"):
        agency_api, city, case_id = _interview(api_as)
        complete(agency_api, "acknowledge_notice", {"attendees": "王建国，总经理", "acknowledged": True})
    with freeze_time("2026-12-20 09:45:00+08:00"):  # the record is entered once the interview has begun
        city = api_as("city_official", name="孙科员")  # a token of today (those of 11-23 have expired)
        complete(city, "hold_interview", RECORD)
        headers = {"Authorization": f"Bearer {city.token}"}
        for kind in ("interview_notice", "interview_record"):
            text = docx_text(_doc(case_id, kind).content)
            page = page_text(client.get(f"/cases/{case_id}/print/{kind}", headers=headers).get_data(as_text=True))
            assert "2026年12月20日9时30分" in text, kind
            assert "2026年12月20日9时30分" in page and "17时30分" not in page and "17:30" not in page, kind
        case_page = page_text(client.get(f"/cases/{case_id}", headers=headers).get_data(as_text=True))
        assert "2026-12-20 09:30" in case_page and "17:30" not in case_page and "T09:30" not in case_page


def test_print_page_shows_the_words_of_the_docx_whose_hash_it_shows(api_as, client):
    """A print page and its .docx never differ: every paragraph of the stored file is on the page with its SHA-256."""
    with freeze_time("2026-11-23 09:00:00+08:00"):
        _agency_api, city, case_id = _interview(api_as)
        doc = _doc(case_id, "interview_notice")
        content = doc.content
        page = page_text(client.get(f"/cases/{case_id}/print/interview_notice",
                                    headers={"Authorization": f"Bearer {city.token}"}).get_data(as_text=True))
    assert hashlib.sha256(content).hexdigest() in page
    for para in docx.Document(io.BytesIO(content)).paragraphs:
        assert re.sub(r"\s+", " ", para.text).strip() in page, para.text
    assert "事实与证据" not in page  # the old print page had its own wording, absent from the Word file


def test_notice_of_interview_cites_full_titles_and_no_codes(api_as, client):
    """约谈通知书: [JC] 第十七条(一) is written 《晋城市…》第十七条(一); no ground code, no ISO time anywhere."""
    with freeze_time("2026-11-23 09:00:00+08:00"):
        agency_api, city, case_id = _interview(api_as)
        text = docx_text(_doc(case_id, "interview_notice").content)
        page = page_text(client.get(f"/cases/{case_id}/print/interview_notice",
                                    headers={"Authorization": f"Bearer {city.token}"}).get_data(as_text=True))
        case_page = page_text(client.get(f"/cases/{case_id}", headers={
            "Authorization": f"Bearer {agency_api.token}"}).get_data(as_text=True))
    for body in (text, page):
        assert JC_TITLE + "第十七条" in body and not CODES.search(body), CODES.search(body)
    assert "（拟稿）" not in case_page and "JC-17-1" not in case_page and "安全技术报告存在重大疏漏" in case_page


def _listed(api_as, client):
    agency_api, agency_row = registered_agency(api_as)
    city, leader = api_as("city_official", name="赵科长"), api_as("leader", name="钱局长")
    data = dict(INVESTIGATION, facts="经查，该机构出具的报告数据与现场不符。", reasons="性质恶劣、情节严重。",
                agency_id=agency_row.id)
    res = city.post("/api/cases", json={"process": "blacklist", "data": data})
    assert res.status_code == 201, res.get_json()
    case_id = res.get_json()["id"]
    complete(leader, "approve_notice", {"notice_decision": "approve"}, case_id)
    defence_pdf = agency_api.upload(case_id, "evidence", filename="申辩证据.pdf").get_json()["id"]
    complete(agency_api, "file_defence", {"statement": "数据由外包单位提供，我单位不知情。", "evidence": defence_pdf})
    complete(city, "review_defence", {"decision": "list", "opinion": "申辩理由不成立。"}, case_id)
    complete(leader, "decide", {"decision": "list", "decision_no": "晋市应急失信〔2026〕1号"}, case_id)
    return city, case_id


def test_blacklist_notice_and_decision_formal_text(api_as, client):
    """告知书/决定书: 部令第11号 and 《晋城市…》第十八条 by title, no [JC] or JC-18-3, typed 。 not doubled."""
    with freeze_time("2026-11-23 09:00:00+08:00"):
        city, case_id = _listed(api_as, client)
        headers = {"Authorization": f"Bearer {city.token}"}
        for kind in ("blacklist_notice", "blacklist_decision"):
            text = docx_text(_doc(case_id, kind).content)
            page = page_text(client.get(f"/cases/{case_id}/print/{kind}", headers=headers).get_data(as_text=True))
            for body in (text, page):
                assert "（应急管理部令第11号）" in body and JC_TITLE + "第十八条" in body, kind
                assert not CODES.search(body), (kind, CODES.search(body))
                assert not re.search(r"[。，；][。，；]", body), (kind, re.search(r".{10}[。，；][。，；]", body))


def test_public_blacklist_names_the_law_once_and_no_catalogue_key(api_as, client):
    """/public/blacklist: 《安全生产严重失信主体名单管理办法》 once in the basis line; [JC] written out; no codes."""
    with freeze_time("2026-11-23 09:00:00+08:00"):
        _listed(api_as, client)
        page = page_text(client.get("/public/blacklist").get_data(as_text=True))
    hint = page[page.index("依据"):page.index("公开。")]
    assert hint.count("安全生产严重失信主体名单管理办法") == 1, hint
    row_basis = page[page.index("移出日期"):page.index("晋市应急失信")]
    assert row_basis.count(JC_TITLE + "第十八条") == 1, row_basis
    assert "[JC]" not in page and "JC-18" not in page and "出具虚假" in page


def test_agency_defence_pdf_is_labelled_as_its_defence_evidence(api_as, client):
    """The agency's 陈述申辩 PDF is named by its own form (陈述申辩：证据材料), not the city's 事实与证据."""
    with freeze_time("2026-11-23 09:00:00+08:00"):
        city, case_id = _listed(api_as, client)
        page = page_text(client.get(f"/cases/{case_id}", headers={
            "Authorization": f"Bearer {city.token}"}).get_data(as_text=True))
    item = page[page.index("申辩证据.pdf"):page.index("申辩证据.pdf") + 40]
    assert "陈述申辩：证据材料" in item and "事实与证据" not in page, item
