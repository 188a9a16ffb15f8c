"""Cases that open other cases: one documented call for every process that needs a follow-up case.

`request_case` is how a grading rated 差 asks for a warning interview, how an interview refers an agency to
the blacklist process, and how later processes (overdue reports, spot checks, complaints) will do the same.
If the target process is not deployed yet, the request is kept as a pending link and started by
`start_pending_links()` once it is (bootstrap runs it).
"""
import json

from sqlalchemy import select

from handlers import PROCESSES
from models import CaseLink, ProcessVersion, db

from . import audit, clock


def request_case(target_process: str, *, agency_id: int | None, ground: str, origin_case_id: int | None,
                 actor=None, variables: dict | None = None, title: str | None = None) -> CaseLink:
    """Ask for a case of `target_process` about an agency on a ground, linked back to the originating case."""
    link = CaseLink(origin_case_id=origin_case_id, target_process=target_process, agency_id=agency_id,
                    ground=ground, detail=json.dumps({"variables": variables or {}, "title": title},
                                                     ensure_ascii=False), status="pending",
                    created_at=clock.now())
    db.session.add(link)
    db.session.flush()
    audit.record("case_requested", actor=actor, case_id=origin_case_id,
                 detail={"target_process": target_process, "agency_id": agency_id, "ground": ground,
                         "link_id": link.id})
    if _deployed(target_process):
        _start(link, actor)
    return link


def _deployed(process_key: str) -> bool:
    return process_key in PROCESSES and db.session.execute(
        select(ProcessVersion.id).where(ProcessVersion.process_key == process_key).limit(1)).first() is not None


def _start(link: CaseLink, actor) -> None:
    from models import Agency

    from .runtime import latest_version, start_workflow_case

    detail = json.loads(link.detail or "{}")
    agency = db.session.get(Agency, link.agency_id) if link.agency_id else None
    variables = dict(detail.get("variables") or {}, agency_id=link.agency_id, ground=link.ground,
                     origin_case_id=link.origin_case_id, link_id=link.id)
    if agency is not None:
        variables.setdefault("agency_name", agency.name)
    info = PROCESSES[link.target_process]
    title = detail.get("title") or (f"{agency.name} {info.title}" if agency else info.title)
    step = start_workflow_case(actor, latest_version(link.target_process), title=title, variables=variables,
                               agency_id=link.agency_id, unit_code=agency.county_code if agency else None,
                               credit_code=agency.credit_code if agency else None)
    case = step.save()
    link.target_case_id, link.status = case.id, "started"
    if link.origin_case_id and detail.get("variables", {}).get("carry_evidence", True):
        from .documents import carry_documents
        carry_documents(link.origin_case_id, case.id, actor)
    audit.record("case_linked", actor=actor, case_id=case.id,
                 detail={"origin_case_id": link.origin_case_id, "ground": link.ground, "link_id": link.id})


def start_pending_links(actor=None) -> int:
    """Start the pending requests whose target process is now deployed; returns how many started."""
    started = 0
    for link in db.session.execute(select(CaseLink).where(CaseLink.status == "pending")
                                   .order_by(CaseLink.id)).scalars():
        if _deployed(link.target_process):
            _start(link, actor)
            started += 1
    return started


def links_of(case_id: int) -> list[CaseLink]:
    """Links from or to a case (for the case page and the auditor's story)."""
    return list(db.session.execute(select(CaseLink).where(
        (CaseLink.origin_case_id == case_id) | (CaseLink.target_case_id == case_id)).order_by(CaseLink.id)).scalars())
