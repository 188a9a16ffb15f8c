"""Auditors' pages: find any case, read its story beside its diagram, export, check the chain."""
import io

from flask import render_template, request, send_file
from flask_login import current_user, login_required

from handlers import PROCESSES
from views.case_table import HEADERS, table_rows, workbook
from workflows.audit import event_row, verify_chain
from workflows.auditing import PER_PAGE, STATUSES, CaseQuery, parse_case_query, require_auditor, search_cases
from workflows.case_story import case_diagram, case_story, field_labels
from workflows.errors import InvalidInput
from workflows.queries import case_documents, case_open_tasks, visible_case

from . import web


def _query() -> CaseQuery:
    return parse_case_query(request.args, set(PROCESSES))


@web.get("/audit/cases")
@login_required
def audit_search():
    """Find any case by agency, process, status, start date, actor or words in opinions; 20 per page."""
    require_auditor(current_user)
    try:
        q = _query()
    except InvalidInput as err:
        return render_template("audit/search.html", q=CaseQuery(), raw=request.args, errors=err.errors, rows=[],
                               total=0, pages=0, headers=HEADERS, processes=PROCESSES, statuses=STATUSES), 422
    rows, total = search_cases(q)
    pages = (total + PER_PAGE - 1) // PER_PAGE
    return render_template("audit/search.html", q=q, raw=request.args, errors={}, rows=list(zip(rows,
                           table_rows(rows), strict=True)), total=total, pages=pages, headers=HEADERS,
                           processes=PROCESSES, statuses=STATUSES)


@web.get("/audit/cases.xlsx")
@login_required
def audit_search_excel():
    """The search results (all pages) as an Excel workbook with the page's columns."""
    require_auditor(current_user)
    rows, _ = search_cases(_query(), everything=True)
    return send_file(io.BytesIO(workbook(rows)), as_attachment=True, download_name="案件查询结果.xlsx",
                     mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


@web.get("/audit/cases/<int:case_id>")
@login_required
def audit_case(case_id: int):
    """A case's story: its own version's diagram with the path taken, and the timeline of every event."""
    require_auditor(current_user)
    case = visible_case(current_user, case_id)
    return render_template("audit/story.html", case=case, diagram=case_diagram(case), events=case_story(case.id),
                           documents=case_documents(case.id), tasks=case_open_tasks(case.id),
                           labels=field_labels())


@web.get("/audit/integrity")
@login_required
def audit_integrity():
    """Recompute the whole audit chain and name the first altered or missing event."""
    require_auditor(current_user)
    report = verify_chain()
    broken = event_row(report.first_bad_seq) if report.first_bad_seq else None
    return render_template("audit/integrity.html", report=report, broken=broken)
