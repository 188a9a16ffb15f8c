"""Printable A4 pages of a case's notices and decisions (the .docx files are stored with the case too)."""
from flask import render_template
from flask_login import current_user, login_required

from views.forms import case_data
from workflows.errors import NotFound
from workflows.queries import case_documents, visible_case

from . import web

PRINTABLE = {"interview_notice": "警示约谈通知书", "interview_record": "警示约谈记录",
             "blacklist_notice": "列入严重失信主体名单告知书", "blacklist_decision": "列入严重失信主体名单决定书"}


@web.get("/cases/<int:case_id>/print/<kind>")
@login_required
def print_document(case_id: int, kind: str):
    """A notice or decision as a printable page, from the same case facts as its Word file."""
    case = visible_case(current_user, case_id)
    if kind not in PRINTABLE:
        raise NotFound("没有这种文书")
    docs = [d for d in case_documents(case.id) if d.kind == kind]
    if not docs:
        raise NotFound("该案件尚未生成此文书")
    return render_template(f"print/{kind}.html", case=case, data=case_data(case), doc=docs[0],
                           title=PRINTABLE[kind], policy=None)
