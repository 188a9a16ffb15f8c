"""Staff roster endpoints (人员库): list, add, edit, leave, exam result, Excel export and import."""
import io

from flask import request, send_file

from handlers.staff_roster import EXAM_IN, LEAVE_IN, load_staff
from rules.staff_table import export_xlsx, read_xlsx
from views.tx import commits
from workflows import clock
from workflows.errors import InvalidInput
from workflows.staff import (
    add_staff,
    expiring_certificates,
    import_staff,
    leave_staff,
    roster,
    set_exam_result,
    staff_settings,
    update_staff,
    visible_agency,
)

from . import api
from ._io import me, parse

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _iso(value):
    return value.isoformat() if value else None


def staff_dict(row) -> dict:
    """A roster row as JSON: the record, months insured, 从业人员, may serve, flags, certificates."""
    m = row.member
    return {"id": m.id, "agency_id": m.agency_id, "name": m.name, "id_number": m.id_number,
            "employed_on": _iso(m.employed_on), "insured_since": _iso(m.insured_since), "status": m.status,
            "left_on": _iso(m.left_on), "exam_passed_on": _iso(m.exam_passed_on), "months_insured": row.months,
            "counts_as_employee": row.counts, "may_serve": row.may_serve, "flags": row.flags,
            "other_agencies": row.other_agencies, "conflict_case_id": m.conflict_case_id,
            "certificates": [dict(c, expires_on=_iso(c["expires_on"])) for c in row.certificates]}


def _row_of(agency, staff_id: int):
    return next(r for r in roster(agency) if r.member.id == staff_id)


def _body() -> dict:
    body = request.get_json(silent=True)
    return body if isinstance(body, dict) else {}


def _staff_input() -> dict:
    data, errors = load_staff(_body())
    if errors:
        raise InvalidInput("请求内容有误", errors)
    return data


@api.get("/agencies/<int:agency_id>/staff")
def get_staff(agency_id: int):
    """The agency's roster with each person's flags.
    ---
    get:
      summary: 机构人员库
      responses:
        200: {description: 人员库}
        403: {description: 无权查看, content: {application/json: {schema: ErrorOut}}}
    """
    agency = visible_agency(me(), agency_id)
    cfg = staff_settings()
    rows = roster(agency)
    return {"agency": {"id": agency.id, "name": agency.name},
            "settings": {k: cfg[k] for k in cfg}, "employee_count": sum(r.counts for r in rows),
            "items": [staff_dict(r) for r in rows]}


@api.post("/agencies/<int:agency_id>/staff")
@commits
def post_staff(agency_id: int):
    """Add a person to the agency's roster.
    ---
    post:
      summary: 新增人员
      responses:
        201: {description: 已新增}
        422: {description: 校验失败, content: {application/json: {schema: ErrorOut}}}
    """
    user = me()
    member = add_staff(user, agency_id, _staff_input())
    return staff_dict(_row_of(visible_agency(user, agency_id), member.id)), 201


@api.put("/agencies/<int:agency_id>/staff/<int:staff_id>")
@commits
def put_staff(agency_id: int, staff_id: int):
    """Correct a person's record.
    ---
    put:
      summary: 修改人员
      responses:
        200: {description: 已修改}
        422: {description: 校验失败, content: {application/json: {schema: ErrorOut}}}
    """
    user = me()
    member = update_staff(user, staff_id, _staff_input())
    return staff_dict(_row_of(visible_agency(user, member.agency_id), member.id))


@api.post("/agencies/<int:agency_id>/staff/<int:staff_id>/leave")
@commits
def post_staff_leave(agency_id: int, staff_id: int):
    """Record that a person left (离职).
    ---
    post:
      summary: 人员离职
      responses:
        200: {description: 已离职}
    """
    user = me()
    member = leave_staff(user, staff_id, parse(LEAVE_IN)["left_on"])
    return staff_dict(_row_of(visible_agency(user, member.agency_id), member.id))


@api.post("/agencies/<int:agency_id>/staff/<int:staff_id>/exam")
@commits
def post_staff_exam(agency_id: int, staff_id: int):
    """An official records a person's 业务考核合格 date ([WJ] 第十六条), or clears it with null.
    ---
    post:
      summary: 登记业务考核结果
      responses:
        200: {description: 已登记}
        403: {description: 非监管人员, content: {application/json: {schema: ErrorOut}}}
    """
    user = me()
    member = set_exam_result(user, staff_id, parse(EXAM_IN)["passed_on"])
    return staff_dict(_row_of(visible_agency(user, member.agency_id), member.id))


def export_rows(agency) -> list[list]:
    """One sheet row per certificate (a person without one gets one row), then the computed columns."""
    out = []
    for r in roster(agency):
        m = r.member
        extra = ["在职" if m.status == "active" else f"已离职（{m.left_on}）", r.months, "是" if r.counts else "否",
                 m.exam_passed_on, "；".join(r.flags)]
        person = [m.name, m.id_number, m.employed_on, m.insured_since]
        for c in r.certificates or [None]:
            cert = [c["kind"], c["title"], c["number"], c["expires_on"]] if c else ["", "", "", ""]
            out.append(person + cert + extra)
    return out


@api.get("/agencies/<int:agency_id>/staff.xlsx")
def get_staff_xlsx(agency_id: int):
    """The roster as an .xlsx sheet that imports back unchanged.
    ---
    get:
      summary: 导出人员库
      responses:
        200: {description: .xlsx}
    """
    agency = visible_agency(me(), agency_id)
    return send_file(io.BytesIO(export_xlsx(export_rows(agency))), mimetype=XLSX, as_attachment=True,
                     download_name=f"人员库-{agency.name}-{clock.today().isoformat()}.xlsx")


def import_file(user, agency_id: int, upload) -> dict:
    """Read an uploaded sheet and import it, all or nothing (row-level errors otherwise)."""
    if upload is None or not upload.filename:
        raise InvalidInput("请选择要导入的 .xlsx 文件", {"file": ["请选择要导入的 .xlsx 文件"]})
    people, errors = read_xlsx(upload.read())
    if errors:
        raise InvalidInput("导入文件有误，未保存任何记录", {"file": errors})
    if not people:
        raise InvalidInput("文件中没有人员记录", {"file": ["文件中没有人员记录"]})
    return import_staff(user, agency_id, people)


@api.post("/agencies/<int:agency_id>/staff/import")
@commits
def post_staff_import(agency_id: int):
    """Import an .xlsx roster (multipart `file`): add or update everyone, or nothing if any row is wrong.
    ---
    post:
      summary: 导入人员库
      responses:
        200: {description: 已导入}
        422: {description: 逐行错误，未保存任何记录, content: {application/json: {schema: ErrorOut}}}
    """
    return import_file(me(), agency_id, request.files.get("file"))


@api.get("/staff/certificates/expiring")
def get_expiring_certificates():
    """Certificates expired or expiring within the warning days, in the agencies I supervise.
    ---
    get:
      summary: 即将到期证书
      responses:
        200: {description: 证书}
    """
    return {"items": [{"agency_id": a.id, "agency": a.name, "staff_id": m.id, "name": m.name, "kind": c.kind,
                       "number": c.number, "expires_on": _iso(c.expires_on), "state": state}
                      for a, m, c, state in expiring_certificates(me())]}
