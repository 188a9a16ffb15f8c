"""Marshmallow input/output pairs of the JSON API (also the source of the OpenAPI document)."""
from marshmallow import Schema, fields, validate


class TokenIn(Schema):
    username = fields.String(required=True)
    password = fields.String(required=True, load_only=True)


class TokenOut(Schema):
    token = fields.String()
    expires_in = fields.Integer()


class UnitOut(Schema):
    code = fields.String()
    name = fields.String()
    parent = fields.String(allow_none=True)


class TaskOut(Schema):
    id = fields.String()
    case_id = fields.Integer()
    process = fields.String()
    name = fields.String(metadata={"description": "BPMN id of the user task"})
    title = fields.String()
    role = fields.String()
    unit = fields.String(allow_none=True)
    assignee = fields.String(allow_none=True, metadata={"description": "username of the claimant"})
    assignee_name = fields.String(allow_none=True)
    created_at = fields.DateTime()
    claimed_at = fields.DateTime(allow_none=True)
    due_at = fields.DateTime(allow_none=True)
    due_provisional = fields.Boolean()
    overdue = fields.Boolean()
    form = fields.String()
    case_number = fields.String(allow_none=True, metadata={"description": "办件编号"})
    case_title = fields.String(allow_none=True)


class TableOut(Schema):
    title = fields.String()
    columns = fields.List(fields.String())
    rows = fields.List(fields.Dict(), metadata={"description": "{cells: [...], flag: '' or e.g. '分歧'}"})
    note = fields.String()


class TaskDetailOut(TaskOut):
    form_schema = fields.Dict(metadata={"description": "the task's form as JSON Schema (Chinese titles, sources)"})
    prefill = fields.Dict(metadata={"description": "values the form opens with"})
    tables = fields.List(fields.Nested(TableOut), metadata={
        "description": "read-only tables shown beside the form (e.g. each expert's score per item, 分歧 flagged)"})
    case_version = fields.Integer(metadata={"description": "send back as expected_version to detect a conflict"})


class InboxItemOut(TaskOut):
    completed_at = fields.DateTime(metadata={"description": "scope=done: when I completed it"})
    submitted = fields.Dict(metadata={"description": "scope=done: what I submitted (an expert's scoring)"})


class InboxCountsOut(Schema):
    all = fields.Integer()
    mine = fields.Integer(metadata={"description": "我的"})
    unclaimed = fields.Integer(metadata={"description": "待认领"})
    overdue = fields.Integer(metadata={"description": "逾期"})


class InboxOut(Schema):
    items = fields.List(fields.Nested(InboxItemOut))
    total = fields.Integer(metadata={"description": "matching tasks on all pages"})
    page = fields.Integer()
    per_page = fields.Integer()
    counts = fields.Nested(InboxCountsOut)


class BatchClaimIn(Schema):
    task_ids = fields.List(fields.String(validate=validate.Length(min=1, max=36)), required=True,
                           validate=validate.Length(min=1, max=100))


class RefusalOut(Schema):
    id = fields.String()
    status = fields.Integer()
    error = fields.String()
    message = fields.String(metadata={"description": "e.g. 该任务已由某某于…认领，您的操作未生效"})


class BatchClaimOut(Schema):
    claimed = fields.List(fields.Nested(TaskOut))
    refused = fields.List(fields.Nested(RefusalOut))
    error = fields.String(metadata={"description": "conflict when some task was refused"})
    message = fields.String()


class SavedFilterIn(Schema):
    page = fields.String(required=True, validate=validate.OneOf(["inbox", "cases"]))
    name = fields.String(required=True, validate=validate.Length(min=1, max=40))
    query = fields.String(load_default="", validate=validate.Length(max=1000),
                          metadata={"description": "the list's query string, e.g. scope=mine&q=晋城"})


class SavedFilterOut(Schema):
    id = fields.Integer()
    page = fields.String()
    name = fields.String()
    query = fields.String()


class SavedFiltersOut(Schema):
    items = fields.List(fields.Nested(SavedFilterOut))


class WithdrawIn(Schema):
    reason = fields.String(required=True, validate=validate.Length(min=1, max=2000),
                           metadata={"description": "作废理由"})


class CaseIn(Schema):
    process = fields.String(required=True)
    data = fields.Dict(load_default=None)
    title = fields.String(load_default=None)


class CaseOut(Schema):
    id = fields.Integer()
    number = fields.String(allow_none=True, metadata={"description": "办件编号, e.g. 140500-2026-DJ-000012"})
    process = fields.String()
    process_version = fields.Integer()
    title = fields.String()
    status = fields.String()
    outcome = fields.String(allow_none=True)
    agency_id = fields.Integer(allow_none=True)
    unit = fields.String(allow_none=True)
    version = fields.Integer()
    started_at = fields.DateTime()
    updated_at = fields.DateTime()
    completed_at = fields.DateTime(allow_none=True)
    last_error = fields.String(allow_none=True)
    open_tasks = fields.List(fields.Nested(TaskOut))
    data = fields.Dict()


class CaseListOut(Schema):
    items = fields.List(fields.Nested(CaseOut))
    total = fields.Integer(metadata={"description": "matching cases on all pages"})
    page = fields.Integer()
    per_page = fields.Integer()


class EventOut(Schema):
    seq = fields.Integer()
    at = fields.DateTime()
    actor = fields.String()
    actor_id = fields.Integer(allow_none=True)
    role = fields.String(allow_none=True)
    unit = fields.String(allow_none=True)
    action = fields.String()
    task_id = fields.String(allow_none=True)
    detail = fields.Dict()
    hash = fields.String()


class HistoryOut(Schema):
    events = fields.List(fields.Nested(EventOut))


class DocumentOut(Schema):
    id = fields.Integer()
    sha256 = fields.String()
    size = fields.Integer()
    kind = fields.String()
    filename = fields.String()
    content_type = fields.String()
    case_id = fields.Integer()


class CompleteIn(Schema):
    data = fields.Dict(load_default=dict)
    version = fields.Integer(load_default=None, metadata={"description": "case version the form was loaded at"})


class ReassignIn(Schema):
    user_id = fields.Integer(required=True)


class ErrorOut(Schema):
    error = fields.String(required=True, metadata={"description": "错误类别（英文代码，供程序判断）"})
    message = fields.String(required=True, metadata={"description": "中文说明"})
    errors = fields.Dict(keys=fields.String(), values=fields.List(fields.String()))


TASK_OUT, CASE_OUT, HISTORY_OUT, DOCUMENT_OUT = TaskOut(), CaseOut(), HistoryOut(), DocumentOut()
INBOX_OUT, CASE_LIST_OUT = InboxOut(), CaseListOut()
SCOPES = validate.OneOf(["mine", "unclaimed", "all"])
