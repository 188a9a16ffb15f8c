"""Auditor endpoints: search cases, a case's diagram marks, the case file (ZIP), the chain check."""
import hashlib
import io

from flask import request, send_file

from handlers import PROCESSES
from models import db
from views.case_table import HEADERS, table_rows
from workflows import audit
from workflows.audit import verify_chain
from workflows.auditing import parse_case_query, require_auditor, search_cases
from workflows.case_file import build_case_file
from workflows.case_story import case_diagram
from workflows.queries import visible_case

from . import api
from ._io import me


@api.get("/audit/cases")
def get_audit_cases():
    """Find cases: agency, process, status, from, to (YYYY-MM-DD), actor, text, page.
    ---
    get:
      summary: 审计：案件查询
      parameters:
        - {in: query, name: agency, schema: {type: string}, description: 机构名称或统一社会信用代码}
        - {in: query, name: process, schema: {type: string}}
        - {in: query, name: status, schema: {type: string}}
        - {in: query, name: from, schema: {type: string, format: date}, description: 发起日期起}
        - {in: query, name: to, schema: {type: string, format: date}, description: 发起日期止}
        - {in: query, name: actor, schema: {type: string}, description: 办理人姓名或用户名}
        - {in: query, name: text, schema: {type: string}, description: 意见等提交内容中的文字}
        - {in: query, name: page, schema: {type: integer}}
      responses:
        200: {description: 一页结果}
        403: {description: 非审计人员, content: {application/json: {schema: ErrorOut}}}
        422: {description: 查询条件有误, content: {application/json: {schema: ErrorOut}}}
    """
    require_auditor(me())
    q = parse_case_query(request.args, set(PROCESSES))
    rows, total = search_cases(q)
    return {"total": total, "page": q.page, "columns": HEADERS,
            "items": [dict(zip(HEADERS, values, strict=True)) for values in table_rows(rows)]}


@api.get("/cases/<int:case_id>/diagram")
def get_case_diagram(case_id: int):
    """The case's own version's diagram (with layout) and the steps and flows to mark on it.
    ---
    get:
      summary: 审计：案件流程图及已办路径
      responses:
        200: {description: "{process, version, xml, marks: {completed, current, interrupted, flows}}"}
        403: {description: 非审计人员, content: {application/json: {schema: ErrorOut}}}
    """
    user = me()
    require_auditor(user)
    return case_diagram(visible_case(user, case_id))


@api.get("/cases/<int:case_id>/export")
def get_case_export(case_id: int):
    """The case file: timeline.json, timeline.csv, every document, manifest.json of SHA-256 hashes.
    ---
    get:
      summary: 审计：导出案卷（ZIP，可离线校验）
      responses:
        200: {description: ZIP, content: {application/zip: {}}}
        403: {description: 非审计人员, content: {application/json: {schema: ErrorOut}}}
    """
    user = me()
    require_auditor(user)
    name, data = build_case_file(visible_case(user, case_id))
    audit.record("case_exported", actor=user, case_id=case_id,
                 detail={"file": name, "sha256": hashlib.sha256(data).hexdigest(), "size": len(data)})
    db.session.commit()
    return send_file(io.BytesIO(data), mimetype="application/zip", as_attachment=True, download_name=name)


@api.get("/audit/integrity")
def get_audit_integrity():
    """Recompute the whole audit chain.
    ---
    get:
      summary: 审计：校验审计链
      responses:
        200: {description: "{ok, checked, first_bad_seq, reason}"}
        403: {description: 非审计人员, content: {application/json: {schema: ErrorOut}}}
    """
    require_auditor(me())
    r = verify_chain()
    return {"ok": r.ok, "checked": r.checked, "first_bad_seq": r.first_bad_seq, "reason": r.reason}
