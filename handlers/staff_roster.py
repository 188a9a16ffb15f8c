"""The staff roster's input (人员库): one person with qualifications; shared by the API, the page and Excel import.

Sources: [JC] 第二条 (从业人员: 连续缴纳社会保险三个月以上); [LY23] 附件1 (安全评价师、注册安全工程师、职称);
[WJ] 第十六条 (业务考核合格方可开展服务).
"""
from marshmallow import Schema, ValidationError, fields, validate

from models.staff import QUALIFICATION_KINDS
from rules.id_number import id_number_error

from ._fields import meta


def _valid_id_number(value: str) -> None:
    if (msg := id_number_error((value or "").strip().upper())):
        raise ValidationError(msg)


class CertificateIn(Schema):
    """A qualification: kind, title (e.g. 高级工程师), certificate number, expiry (none for titles)."""

    kind = fields.String(required=True, validate=validate.OneOf(QUALIFICATION_KINDS),
                         metadata=meta("资格类别", widget="select", choices=[(k, k) for k in QUALIFICATION_KINDS]))
    title = fields.String(load_default="", validate=validate.Length(max=64), metadata=meta("资格名称或职称"))
    number = fields.String(required=True, validate=validate.Length(min=1, max=64), metadata=meta("证书编号"))
    expires_on = fields.Date(load_default=None, allow_none=True, metadata=meta("有效期至", widget="date"))


class StaffIn(Schema):
    """One person on an agency's roster."""

    name = fields.String(required=True, validate=validate.Length(min=1, max=64), metadata=meta("姓名"))
    id_number = fields.String(required=True, validate=_valid_id_number,
                              metadata=meta("身份证号码", help="18位，按GB 11643-1999校验", source="GB 11643-1999"))
    employed_on = fields.Date(required=True, metadata=meta("入职日期", widget="date"))
    insured_since = fields.Date(load_default=None, allow_none=True, metadata=meta(
        "本单位社保连续缴纳起始日期", widget="date", help="连续缴纳满3个月方计为从业人员", source="[JC] 第二条"))
    certificates = fields.List(fields.Nested(CertificateIn), load_default=list,
                               metadata=meta("资格证书", source="[LY23] 附件1"))


class LeaveIn(Schema):
    """A person leaves the agency on a date."""

    left_on = fields.Date(required=True, metadata=meta("离职日期", widget="date"))


class ExamIn(Schema):
    """An official records the person's 业务考核 result ([WJ] 第十六条): the date passed, or null to clear it."""

    passed_on = fields.Date(required=True, allow_none=True, metadata=meta("考核合格日期", widget="date"))


STAFF_IN, LEAVE_IN, EXAM_IN = StaffIn(), LeaveIn(), ExamIn()


def load_staff(body: dict) -> tuple[dict, dict]:
    """(data, {field: [messages]}) of a person's input; the id number comes back upper-case."""
    try:
        data = STAFF_IN.load(body)
    except ValidationError as err:
        return {}, {k: v if isinstance(v, list) else [str(v)] for k, v in err.messages.items()}
    data["id_number"] = data["id_number"].strip().upper()
    data["name"] = data["name"].strip()
    return data, {}
