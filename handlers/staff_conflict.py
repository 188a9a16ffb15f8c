"""A person on two agencies' rosters at once (多机构从业): the county official checks and concludes.

Sources: [JC] 第十四条(八); [WJ] 第十九条(七); [LY23] 第十四条10. Started by `workflows.staff` through
`workflows.links.request_case("staff_conflict", …)` when an agency adds someone already on another roster.
"""
from marshmallow import Schema, fields, validate

from models import Agency, StaffMember, db
from workflows import audit

from . import FormSpec, ProcessInfo, register_form, register_process, service
from ._fields import choice, meta

register_process(ProcessInfo(key="staff_conflict", title="从业人员多机构从业核查", start_via="staff"))

CONCLUSIONS = [("confirmed", "确认同时在两个以上机构从业"),
               ("cleared", "已核实不属于同时从业（如已离职未及时更新人员库）")]


class ReviewSchema(Schema):
    """The official's conclusion, with the facts found."""

    conclusion = choice("核查结论", CONCLUSIONS, source="[JC] 第十四条(八)；[WJ] 第十九条(七)")
    opinion = fields.String(required=True, validate=validate.Length(min=1, max=2000),
                            metadata=meta("核查情况", widget="textarea", help="写明核实的事实（如社保缴纳单位、劳动合同）"))


def rosters_table(ctx, data: dict) -> list[dict]:
    """The rosters the person is on, read-only for the reviewer."""
    ids = [data.get("staff_id"), *(data.get("other_staff_ids") or [])]
    rows = []
    for member in (db.session.get(StaffMember, i) for i in ids if i):
        if member is None:
            continue
        agency = db.session.get(Agency, member.agency_id)
        rows.append({"cells": [agency.name, member.name, data.get("id_number_masked", ""),
                               member.employed_on.isoformat(),
                               member.insured_since.isoformat() if member.insured_since else "未填报",
                               "在职" if member.status == "active" else f"已于{member.left_on}离职"],
                     "flag": member.status == "active"})
    return [{"title": "该人员所在机构人员库", "columns": ["机构", "姓名", "身份证号码", "入职日期", "社保起始", "状态"],
             "rows": rows, "note": "同一身份证号码在以上机构人员库中均为在职"}]


register_form(FormSpec(key="staff_conflict_review", title="人员多机构从业核查", schema=lambda s: ReviewSchema(),
                       tables=rosters_table,
                       instructions="请核实该人员的劳动合同与社保缴纳单位，作出核查结论；确认违规的，可另行发起警示约谈。"))


@service("close_staff_conflict")
def close_staff_conflict(ctx, data: dict) -> dict:
    """Record the conclusion on the case; the roster keeps flagging until one agency records the person's leaving."""
    audit.record("staff_conflict_concluded", actor=ctx.actor, case_id=ctx.case.id,
                 detail={"staff_id": data.get("staff_id"), "conclusion": data["conclusion"]})
    return {"conclusion": data["conclusion"]}
