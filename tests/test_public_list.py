"""The public agency list (机构名单): half-yearly dated snapshots, an official's button, search and Excel.

Sources: [WJ] 第十四条 (the list is updated every half-year), 第二十一条 (enterprises choose from the list);
[LY22] 四(三) (grades published). Rows are written to Excel through rules/spreadsheet.py `append_row`.
"""
import io
from datetime import date, datetime

from freezegun import freeze_time
from openpyxl import load_workbook

from models import GradingEntry, GradingRound, ListSnapshot, db
from tests.sanctions_factories import api_maker, insert_agency
from workflows.clock import now
from workflows.timers import tick


def _agencies() -> None:
    rnd = GradingRound(scheme="linyi", year=2026, title="2026年度评定", self_assessment_ends_on=date(2026, 5, 1),
                       inspection_ends_on=date(2026, 5, 2), classification_ends_on=date(2026, 5, 3), status="open",
                       created_at=now())
    db.session.add(rnd)
    good = insert_agency("武进安检检测有限公司", "91320412MA1000001X", "320412", service_categories=["安全检测检验"])
    insert_agency("武进培训咨询有限公司", "91320412MA1000002X", "320412", service_categories=["安全培训", "安全咨询托管"])
    db.session.flush()
    db.session.add(GradingEntry(round_id=rnd.id, agency_id=good.id, phase="final", grade="优秀", final_score=95.0))
    db.session.commit()


def test_half_year_snapshot_with_excel_and_search(tmp_path, _template_db):
    """[WJ] 第十四条: the first tick of 2026H2 publishes a dated snapshot (once); an official's button adds one;
    the public searches it by name, credit code, service category and grade; the Excel holds the same rows."""
    from tests.conftest import make_app
    app = make_app(tmp_path, _template_db, ANFU_CITY="wujin")
    with app.app_context():
        client, api_as = api_maker(app)
        with freeze_time("2026-06-20 10:00:00+08:00"):
            _agencies()
        for at in ("2026-07-01T00:10:00+08:00", "2026-07-02T08:00:00+08:00"):
            with freeze_time(at):
                tick(datetime.fromisoformat(at))
                db.session.remove()
        [snap] = db.session.query(ListSnapshot).all()
        assert snap.period == "2026H2" and snap.taken_on.isoformat() == "2026-07-01" and len(snap.rows) == 2
        index = client.get("/public/list").get_data(as_text=True)
        assert "2026年下半年" in index and "2026-07-01" in index
        page = client.get(f"/public/list/{snap.id}").get_data(as_text=True)
        assert "武进安检检测有限公司" in page and "武进培训咨询有限公司" in page and "优秀" in page
        found = client.get(f"/public/list/{snap.id}?service=安全培训").get_data(as_text=True)
        assert "武进培训咨询有限公司" in found and "武进安检检测有限公司" not in found
        found = client.get(f"/public/list/{snap.id}?grade=优秀").get_data(as_text=True)
        assert "武进安检检测有限公司" in found and "武进培训咨询有限公司" not in found
        found = client.get(f"/public/list/{snap.id}?q=91320412ma1000002x").get_data(as_text=True)
        assert "武进培训咨询有限公司" in found and "武进安检检测有限公司" not in found
        assert "没有符合条件的机构" in client.get(f"/public/list/{snap.id}?q=不存在").get_data(as_text=True)
        res = client.get(f"/public/list/{snap.id}.xlsx")
        assert res.status_code == 200
        ws = load_workbook(io.BytesIO(res.data)).active
        values = [[c.value for c in row] for row in ws.iter_rows()]
        assert "2026年下半年" in values[0][0] and values[1][:2] == ["机构名称", "统一社会信用代码"]
        assert {r[0] for r in values[2:]} == {"武进安检检测有限公司", "武进培训咨询有限公司"}
        with freeze_time("2026-09-01 10:00:00+08:00"):
            insert_agency("武进新登记公司", "91320412MA1000003X", "320412")
            db.session.commit()
            assert client.post("/public/list/publish", headers=api_as("agency")._h()).status_code == 403
            official = api_as("city_official")
            assert client.post("/public/list/publish", headers=official._h()).status_code == 302
        newest = db.session.query(ListSnapshot).order_by(ListSnapshot.id.desc()).first()
        assert newest.taken_on.isoformat() == "2026-09-01" and len(newest.rows) == 3
        old = client.get(f"/public/list/{snap.id}").get_data(as_text=True)
        assert "武进新登记公司" not in old  # a snapshot is a dated copy, not the live list
        assert client.get("/public/list/999999").status_code == 404
        db.engine.dispose()


def test_jincheng_publishes_no_list_by_itself(api_as, client):
    """晋城 keeps 建档 only (domain.md §P14): the timer takes no snapshot; the page says none is published."""
    at = "2026-07-01T08:00:00+08:00"
    with freeze_time(at):
        tick(datetime.fromisoformat(at))
    assert db.session.query(ListSnapshot).count() == 0
    assert "尚未发布名单" in client.get("/public/list").get_data(as_text=True)
