"""Printable A4 pages of a case's notices and decisions: the stored .docx's own words, laid out for paper."""
from flask import render_template
from flask_login import current_user, login_required

from rules.documents import docx_blocks
from workflows.errors import NotFound
from workflows.labels import label
from workflows.queries import case_documents, visible_case

from . import web

PRINTABLE = ("interview_notice", "interview_record", "blacklist_notice", "blacklist_decision")


@web.get("/cases/<int:case_id>/print/<kind>")
@login_required
def print_document(case_id: int, kind: str):
    """A notice or decision as a printable page: the text of the very .docx whose SHA-256 it shows."""
    case = visible_case(current_user, case_id)
    if kind not in PRINTABLE:
        raise NotFound("没有这种文书")
    docs = [d for d in case_documents(case.id) if d.kind == kind]
    if not docs:
        raise NotFound("该案件尚未生成此文书")
    return render_template("print/document.html", case=case, doc=docs[0], blocks=docx_blocks(docs[0].content),
                           title=label("document_kind", kind), policy=None)
