"""Marshmallow schemas of the process owners' API (drafts, publishing, migration)."""
from marshmallow import Schema, fields, validate

MAX_XML = 5 * 1024 * 1024


class DraftIn(Schema):
    bpmn = fields.String(required=True, validate=validate.Length(min=1, max=MAX_XML),
                         error_messages={"required": "请提供流程图（BPMN XML）"},
                         metadata={"description": "BPMN 2.0 XML"})
    dmn = fields.Dict(keys=fields.String(validate=validate.Regexp(r"^[A-Za-z0-9_]{1,64}$",
                                                                   error="决策表文件名只能含字母、数字和下划线")),
                      values=fields.String(validate=validate.Length(max=MAX_XML)), load_default=dict,
                      metadata={"description": "decision table files by name (bpmn/<name>.dmn)"})
    base_version = fields.Integer(load_default=None, allow_none=True)


class ReasonIn(Schema):
    reason = fields.String(load_default="", metadata={"description": "发布理由（必填，记入审计）"})


class MigrateIn(Schema):
    to_version = fields.Integer(required=True, error_messages={"required": "请选择目标版本"})
    case_ids = fields.List(fields.Integer(), required=True, error_messages={"required": "请选择要迁移的案件"})


class ProblemOut(Schema):
    element_id = fields.String(allow_none=True, metadata={"description": "BPMN element id (null: whole diagram)"})
    message = fields.String()


class DraftOut(Schema):
    id = fields.Integer()
    process = fields.String()
    status = fields.String()
    base_version = fields.Integer(allow_none=True)
    published_version = fields.Integer(allow_none=True)
    problems = fields.List(fields.Nested(ProblemOut))
    publishable = fields.Boolean()
    updated_at = fields.DateTime()
    xml = fields.String(metadata={"description": "GET only: BPMN XML ready for display"})
    dmn = fields.Dict(keys=fields.String(), values=fields.String(), metadata={"description": "GET only"})


class VersionOut(Schema):
    process = fields.String()
    version = fields.Integer()
    title = fields.String()
    checksum = fields.String()
    deployed_at = fields.DateTime()
    deployed_by = fields.String(allow_none=True)
    reason = fields.String()


class DiagramOut(Schema):
    process = fields.String()
    version = fields.Integer()
    xml = fields.String(metadata={"description": "BPMN XML with BPMNDI (auto-laid-out when the stored one has none)"})
    dmn = fields.Dict(keys=fields.String(), values=fields.String())
    auto_layout = fields.Boolean()


DRAFT_OUT = DraftOut()
VERSION_OUT = VersionOut()
DIAGRAM_OUT = DiagramOut()
