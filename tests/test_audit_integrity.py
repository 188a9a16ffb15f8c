"""The integrity page and `flask audit verify` recompute the whole chain and name the first broken event."""
from sqlalchemy import text

from models import AuditEvent, db
from tests.audit_cases import returned_case
from tests.test_registration import COUNTY


def _case_with_history(api_as) -> int:
    return returned_case(api_as("agency"), api_as("county_official", unit=COUNTY))


def test_untouched_chain_is_reported_whole(api_as):
    """Every event recomputed; the page, the API and the CLI agree that nothing was altered."""
    _case_with_history(api_as)
    auditor = api_as("auditor")
    total = db.session.query(AuditEvent).count()
    page = auditor.client.get("/audit/integrity", headers=auditor._h()).get_data(as_text=True)
    assert f"已逐条重新计算 {total} 个事件" in page
    assert auditor.get("/api/audit/integrity").get_json() == {"ok": True, "checked": total,
                                                                 "first_bad_seq": None, "reason": ""}


def test_tampered_event_is_named_on_the_page_and_by_the_cli(api_as, app):
    """An opinion rewritten directly in the database: the page names that event and links its case."""
    case_id = _case_with_history(api_as)
    completed = db.session.query(AuditEvent).filter_by(case_id=case_id, action="task_completed") \
        .order_by(AuditEvent.seq.desc()).first()
    seq = completed.seq
    db.session.execute(text("UPDATE audit_event SET detail = :d WHERE seq = :s"),
                       {"d": completed.detail.replace("不清晰", "清晰"), "s": seq})
    db.session.commit()
    auditor = api_as("auditor")
    res = auditor.client.get("/audit/integrity", headers=auditor._h())
    html = res.get_data(as_text=True)
    assert res.status_code == 200 and "审计链已被破坏" in html
    assert f"首个异常：第 {seq} 号事件" in html and f"/audit/cases/{case_id}" in html
    body = auditor.get("/api/audit/integrity").get_json()
    assert body["ok"] is False and body["first_bad_seq"] == seq and body["checked"] == seq - 1
    result = app.test_cli_runner().invoke(args=["audit", "verify"])
    assert result.exit_code == 1 and f"BROKEN at event {seq}" in result.output


def test_deleted_event_is_named_as_missing(api_as):
    """A removed event breaks the sequence: the page names the missing number."""
    _case_with_history(api_as)
    db.session.execute(text("DELETE FROM audit_event WHERE seq = 3"))
    db.session.commit()
    auditor = api_as("auditor")
    html = auditor.client.get("/audit/integrity", headers=auditor._h()).get_data(as_text=True)
    assert "首个异常：第 3 号事件" in html and "缺失" in html
