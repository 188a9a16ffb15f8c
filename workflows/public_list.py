"""The public list of agencies ([WJ] 第十四、二十一条): dated half-yearly snapshots, searchable, with an Excel copy.

Each snapshot copies, per listed agency, what an enterprise choosing an agency needs: name, credit code, county,
service categories, grade and stars (latest final results), sanctions (active listing, 通报). Taken by the timer
worker on the first tick of each half-year (where `public_list.enabled`) and by an official's button.
"""
import io
from datetime import date, datetime

from sqlalchemy import select

from models import Agency, Bulletin, GradingEntry, GradingRound, Listing, ListSnapshot, Unit, db

from . import audit
from .clock import SHANGHAI
from .errors import NotAllowed, NotFound
from .info_changes import changes_setting

COLUMNS = ("机构名称", "统一社会信用代码", "所在县区", "服务类别", "分类等级", "星级", "惩戒情况")
OFFICIALS = ("county_official", "city_official", "leader", "admin")


def half_year(day: date) -> str:
    """The half-year label of a day: 2026H1 or 2026H2."""
    return f"{day.year}H{1 if day.month <= 6 else 2}"


def period_name(label: str) -> str:
    """'2026H2' → '2026年下半年'."""
    return f"{label[:4]}年{'上' if label.endswith('1') else '下'}半年"


def _latest_results(agency_id: int) -> tuple[str, str]:
    rows = db.session.execute(select(GradingEntry.grade, GradingRound.scheme)
                              .join(GradingRound, GradingRound.id == GradingEntry.round_id)
                              .where(GradingEntry.agency_id == agency_id, GradingEntry.phase == "final")
                              .order_by(GradingEntry.id.desc())).all()
    grade = next((g for g, scheme in rows if "star" not in scheme), "")
    stars = next((g for g, scheme in rows if "star" in scheme), "")
    return grade or "未评定", stars or "未评定"


def _sanctions(agency_id: int) -> str:
    parts = []
    if db.session.execute(select(Listing.id).where(Listing.agency_id == agency_id, Listing.status == "active")).first():
        parts.append("列入严重失信主体名单")
    bulletins = db.session.execute(select(Bulletin.published_on).where(Bulletin.agency_id == agency_id)).scalars().all()
    if bulletins:
        parts.append(f"通报{len(bulletins)}次（最近{max(bulletins):%Y-%m-%d}）")
    return "；".join(parts) or "无"


def current_rows() -> list[dict]:
    """The list as of now: every registered agency with its grade, stars and sanctions."""
    units = {u.code: u.name for u in db.session.execute(select(Unit)).scalars()}
    agencies = db.session.execute(select(Agency).where(Agency.status == "registered").order_by(Agency.name)).scalars()
    rows = []
    for a in agencies:
        grade, stars = _latest_results(a.id)
        rows.append({"agency_id": a.id, "name": a.name, "credit_code": a.credit_code,
                     "county": units.get(a.county_code, a.county_code), "services": list(a.service_categories),
                     "grade": grade, "stars": stars, "sanctions": _sanctions(a.id)})
    return rows


def take_snapshot(now: datetime, actor=None) -> ListSnapshot:
    """Copy the list as of `now` into a dated snapshot (flushes)."""
    if actor is not None and actor.role not in OFFICIALS:
        raise NotAllowed("只有应急管理部门工作人员可以发布名单")
    today = now.astimezone(SHANGHAI).date()
    snap = ListSnapshot(period=half_year(today), taken_on=today, taken_at=now,
                        taken_by_id=actor.id if actor else None, rows=current_rows())
    db.session.add(snap)
    db.session.flush()
    audit.record("public_list_published", actor=actor, detail={"snapshot_id": snap.id, "period": snap.period,
                                                               "agencies": len(snap.rows)})
    return snap


def take_due_snapshot(now: datetime) -> ListSnapshot | None:
    """The half-yearly republication: a snapshot on the first tick of a half-year without one."""
    if not changes_setting("public_list", "enabled"):
        return None
    label = half_year(now.astimezone(SHANGHAI).date())
    if db.session.execute(select(ListSnapshot.id).where(ListSnapshot.period == label)).first():
        return None
    return take_snapshot(now)


def snapshots() -> list[ListSnapshot]:
    """Every snapshot, newest first."""
    return list(db.session.execute(select(ListSnapshot).order_by(ListSnapshot.taken_at.desc(),
                                                                 ListSnapshot.id.desc())).scalars())


def snapshot(snapshot_id: int) -> ListSnapshot:
    """One snapshot or NotFound."""
    snap = db.session.get(ListSnapshot, snapshot_id)
    if snap is None:
        raise NotFound("没有该期名单")
    return snap


def search(rows: list[dict], q: str = "", service: str = "", grade: str = "") -> list[dict]:
    """Rows matching a name fragment or credit code, a service category and a grade (or stars)."""
    q = q.strip()
    out = []
    for r in rows:
        if q and q not in r["name"] and q.upper() != r["credit_code"]:
            continue
        if service and service not in r["services"]:
            continue
        if grade and grade not in (r["grade"], r["stars"]):
            continue
        out.append(r)
    return out


def snapshot_xlsx(snap: ListSnapshot) -> bytes:
    """The snapshot as .xlsx, every row written through rules.spreadsheet.append_row."""
    from openpyxl import Workbook

    from rules.spreadsheet import append_row
    wb = Workbook()
    ws = wb.active
    ws.title = period_name(snap.period)
    append_row(ws, [f"安全生产技术服务机构名单（{period_name(snap.period)}，{snap.taken_on:%Y年%m月%d日}发布）"])
    append_row(ws, COLUMNS)
    for r in snap.rows:
        append_row(ws, [r["name"], r["credit_code"], r["county"], "、".join(r["services"]), r["grade"], r["stars"],
                        r["sanctions"]])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
