"""执业告知 (practice notice) through the pages: the location county sees it, a third county does not.

Sources: [JC] 第四条 (安评、检测机构 执业告知); 应急管理部令第1号 解读 (属地告知 before on-site service, domain.md
§3.2 [W7]); [LY22] 六(三) (a 差 grade bars six services, so a notice for one of them is refused).
"""
from datetime import date

from freezegun import freeze_time

from models import AuditEvent, GradingEntry, GradingRound, PracticeNotice, db
from tests.sanctions_factories import api_maker, insert_agency, registered_agency
from workflows.clock import now

HOME, LOCATION, THIRD = "140502", "140521", "140522"


def notice(**over) -> dict:
    data = {"client_name": "沁水县某煤业有限公司", "project_address": "沁水县龙港镇", "location_county": LOCATION,
            "service_type": "安全检测检验", "starts_on": "2026-11-20", "ends_on": "2026-11-30"}
    data.update(over)
    return data


def test_notice_appears_in_the_location_county_list_and_not_in_a_third_county(api_as, client):
    """[JC] 第四条: an agency of 城区 files a notice for a project in 沁水县; 沁水 sees it, 阳城 does not."""
    with freeze_time("2026-11-02 10:00:00+08:00"):
        agency, row = registered_agency(api_as, county=HOME)
        res = client.post("/practice-notices", data=notice(), headers=agency._h())
        assert res.status_code == 302, res.get_data(as_text=True)
        location = api_as("county_official", unit=LOCATION)
        third = api_as("county_official", unit=THIRD)
        seen = client.get("/practice-notices", headers=location._h()).get_data(as_text=True)
        assert "沁水县某煤业有限公司" in seen and row.name in seen
        assert "沁水县某煤业有限公司" not in client.get("/practice-notices", headers=third._h()).get_data(as_text=True)
        own = client.get("/practice-notices", headers=agency._h()).get_data(as_text=True)
        assert "沁水县某煤业有限公司" in own
        home = api_as("county_official", unit=HOME)
        assert "沁水县某煤业有限公司" in client.get(f"/agencies/{row.id}", headers=home._h()).get_data(as_text=True)
        assert db.session.query(AuditEvent).filter_by(action="practice_notice_filed").count() == 1
        assert db.session.query(PracticeNotice).one().filed_late is False


def test_bad_notice_is_refused_with_messages_and_nothing_saved(api_as, client):
    """Dates out of order, an unknown county and a missing client are shown in Chinese; nothing is saved."""
    with freeze_time("2026-11-02 10:00:00+08:00"):
        agency, _ = registered_agency(api_as, county=HOME)
        res = client.post("/practice-notices", headers=agency._h(),
                          data=notice(client_name="", location_county="999999", ends_on="2026-11-01"))
        assert res.status_code == 422
        page = res.get_data(as_text=True)
        assert "长度应在 1 到 200 个字符之间" in page
        res = client.post("/practice-notices", headers=agency._h(), data=notice(location_county="999999",
                                                                              ends_on="2026-11-01"))
        assert res.status_code == 422
        page = res.get_data(as_text=True)
        assert "请选择项目所在县" in page and "结束日期不能早于开始日期" in page
        official = api_as("county_official", unit=LOCATION)
        assert client.post("/practice-notices", data=notice(), headers=official._h()).status_code == 403
        assert db.session.query(PracticeNotice).count() == 0


def test_poor_grade_bars_the_six_services_in_a_notice(tmp_path, _template_db):
    """[LY22] 六(三): an agency graded 差 may not give notice of 行政许可 work; other services are accepted."""
    from tests.conftest import make_app
    app = make_app(tmp_path, _template_db, ANFU_CITY="linyi")
    with app.app_context():
        client, api_as = api_maker(app)
        with freeze_time("2026-11-02 10:00:00+08:00"):
            rnd = GradingRound(scheme="linyi", year=2026, title="2026年度评定", self_assessment_ends_on=date(2026, 9, 1),
                               inspection_ends_on=date(2026, 9, 2), classification_ends_on=date(2026, 9, 3),
                               status="open", created_at=now())
            db.session.add(rnd)
            agency = insert_agency("临沂评定差公司", "913713000000000010", "371302")
            db.session.add(GradingEntry(round_id=rnd.id, agency_id=agency.id, phase="final", grade="差", final_score=50.0))
            db.session.commit()
            user = api_as("agency", agency_id=agency.id)
            data = notice(location_county="371321", service_type="行政许可", client_name="沂南某化工有限公司")
            res = client.post("/practice-notices", data=data, headers=user._h())
            assert res.status_code == 422
            page = res.get_data(as_text=True)
            assert "不得从事行政许可" in page and "临沂市安全生产技术服务机构管理实施方案" in page
            assert db.session.query(PracticeNotice).count() == 0
            res = client.post("/practice-notices", data=dict(data, service_type="安全咨询托管"), headers=user._h())
            assert res.status_code == 302
            assert db.session.query(PracticeNotice).one().location_county == "371321"
        db.engine.dispose()
