"""Dormant accounts (长期无业务注销) through the timer worker and the pages, with time moved.

Source: [WJ] 第十四条 (no 项目申报 record for 12 months from the list publication → account 注销); the notice
period before cancellation is a platform default (`dormancy.notice_working_days` in policies/wujin/changes.yaml).
"""
from datetime import datetime, timedelta

from freezegun import freeze_time

from models import Agency, AuditEvent, DormancyNotice, Notification, db
from tests.sanctions_factories import api_maker, registered_agency
from workflows.timers import tick

DISTRICT = "320412"


def wujin(tmp_path, _template_db, city="wujin"):
    from tests.conftest import make_app
    return make_app(tmp_path, _template_db, ANFU_CITY=city)


def run_tick(at: str) -> None:
    with freeze_time(at):
        tick(datetime.fromisoformat(at))
        db.session.remove()


def test_dormant_account_cancelled_after_12_months_and_notice_not_before_then_reversed(tmp_path, _template_db):
    """[WJ] 第十四条: registered 2026-01-05; no notice on 2027-01-04, a notice on 2027-01-05; not cancelled on the
    notice period's last day, cancelled the day after; an objecting agency is not cancelled; an official
    restores the cancelled account only with a reason."""
    app = wujin(tmp_path, _template_db)
    with app.app_context():
        client, api_as = api_maker(app)
        with freeze_time("2026-01-05 10:00:00+08:00"):
            _, quiet = registered_agency(api_as, county=DISTRICT, n=1)
            _, objector = registered_agency(api_as, county=DISTRICT, n=2)
        run_tick("2027-01-04T23:00:00+08:00")
        assert db.session.query(DormancyNotice).count() == 0
        run_tick("2027-01-05T08:00:00+08:00")
        notices = {n.agency_id: n for n in db.session.query(DormancyNotice)}
        assert set(notices) == {quiet.id, objector.id}
        notice = notices[quiet.id]
        assert notice.status == "notified" and notice.last_activity_on.isoformat() == "2026-01-05"
        texts = [n.text for n in db.session.query(Notification).filter_by(kind="dormancy_notice")]
        assert len(texts) == 2 and "12个月内无项目申报记录" in texts[0] and "《" in texts[0]
        last_day = notice.cancel_after
        with freeze_time("2027-01-06 09:00:00+08:00"):
            agency = api_as("agency", agency_id=objector.id)
            res = client.post(f"/agencies/{objector.id}/dormancy/objection", data={"objection": "  "},
                              headers=agency._h())
            assert res.status_code == 422
            res = client.post(f"/agencies/{objector.id}/dormancy/objection", data={"objection": "正在洽谈两个项目"},
                              headers=agency._h())
            assert res.status_code == 302
        run_tick(f"{last_day.isoformat()}T22:00:00+08:00")
        assert db.session.get(Agency, quiet.id).status == "registered"
        run_tick(f"{(last_day + timedelta(days=1)).isoformat()}T08:00:00+08:00")
        assert db.session.get(Agency, quiet.id).status == "cancelled"
        assert db.session.get(Agency, objector.id).status == "registered"
        assert db.session.query(AuditEvent).filter_by(action="agency_cancelled_dormant").count() == 1
        assert quiet.name not in client.get("/public/directory").get_data(as_text=True)
        with freeze_time("2027-02-01 09:00:00+08:00"):
            official = api_as("county_official", unit=DISTRICT)
            page = client.get(f"/agencies/{quiet.id}", headers=official._h()).get_data(as_text=True)
            assert "已注销" in page and "撤销注销" in page
            res = client.post(f"/agencies/{quiet.id}/dormancy/reverse", data={"reason": ""}, headers=official._h())
            assert res.status_code == 422 and "请填写撤销理由" in res.get_data(as_text=True)
            assert db.session.get(Agency, quiet.id).status == "cancelled"
            res = client.post(f"/agencies/{quiet.id}/dormancy/reverse", data={"reason": "机构提交了在办项目合同"},
                              headers=official._h())
            assert res.status_code == 302
        assert db.session.get(Agency, quiet.id).status == "registered"
        event = db.session.query(AuditEvent).filter_by(action="dormancy_reversed").one()
        assert "机构提交了在办项目合同" in str(event.detail)
        run_tick("2027-02-02T08:00:00+08:00")  # the reversal counts as activity: no new notice at once
        assert db.session.get(Agency, quiet.id).status == "registered"
        assert db.session.query(DormancyNotice).filter_by(agency_id=quiet.id, status="notified").count() == 0
        db.engine.dispose()


def test_activity_during_the_notice_keeps_the_account_and_other_cities_never_cancel(tmp_path, _template_db):
    """A filing after the notice (here an information change) makes it lapse; 晋城 has no dormancy rule."""
    from tests.test_info_changes import file_change
    app = wujin(tmp_path, _template_db)
    with app.app_context():
        _, api_as = api_maker(app)
        with freeze_time("2026-01-05 10:00:00+08:00"):
            _, row = registered_agency(api_as, county=DISTRICT)
        run_tick("2027-01-05T08:00:00+08:00")
        with freeze_time("2027-01-06 10:00:00+08:00"):
            file_change(api_as("agency", agency_id=row.id), {"changed_on": "2027-01-04", "address": "新址", "reason": "搬迁"})
        run_tick("2027-03-01T08:00:00+08:00")
        assert db.session.get(Agency, row.id).status == "registered"
        assert db.session.query(DormancyNotice).one().status == "resumed"
        db.engine.dispose()


def test_jincheng_has_no_dormancy_rule(api_as):
    """晋城 ([JC]) sets no cancellation for dormant accounts: nothing happens after 13 months."""
    with freeze_time("2026-01-05 10:00:00+08:00"):
        _, row = registered_agency(api_as)
    run_tick("2027-02-05T08:00:00+08:00")
    assert db.session.get(Agency, row.id).status == "registered"
    assert db.session.query(DormancyNotice).count() == 0
