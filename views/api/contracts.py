"""Filed service contracts ([WJ] 第十五条): an agency's contracts with flags, and the officials' overview."""
from workflows import clock
from workflows.contracts import contract_flags, contracts_of, overview, summarize
from workflows.staff import visible_agency

from . import api
from ._io import me


def contract_dict(c, today) -> dict:
    """A filed contract with its filing period and flags."""
    iso = lambda d: d.isoformat() if d else None
    return {"id": c.id, "case_id": c.case_id, "agency_id": c.agency_id, "client_name": c.client_name,
            "town": c.town, "content": c.content, "service_type": c.service_type, "signed_on": iso(c.signed_on),
            "starts_on": iso(c.starts_on), "ends_on": iso(c.ends_on), "price_wan": str(c.price_wan),
            "client_contact": c.client_contact, "client_phone": c.client_phone, "filed_on": iso(c.filed_on),
            "filing_due_on": iso(c.filing_due_on), "filing_due_note": c.filing_due_note, "filed_late": c.filed_late,
            "acknowledged_on": iso(c.acknowledged_on), "delivered_on": iso(c.delivered_on),
            "delivered_late": c.delivered_late, "status": c.status, "flags": contract_flags(c, today)}


def summary_dict(s) -> dict:
    return {"agency_id": s.agency.id, "agency": s.agency.name, "filed": s.filed, "filed_late": s.filed_late,
            "deliverables_missing": s.deliverables_missing, "delivered_late": s.delivered_late}


@api.get("/agencies/<int:agency_id>/contracts")
def get_agency_contracts(agency_id: int):
    """An agency's filed contracts with late and missing flags.
    ---
    get:
      summary: 机构服务合同报备
      responses:
        200: {description: 合同}
        403: {description: 无权查看, content: {application/json: {schema: ErrorOut}}}
    """
    agency = visible_agency(me(), agency_id)
    today = clock.today()
    return {"summary": summary_dict(summarize(agency, today)),
            "items": [contract_dict(c, today) for c in contracts_of(agency.id)]}


@api.get("/contracts/overview")
def get_contracts_overview():
    """Per agency I supervise: contracts filed, filed late, deliverables missing or late.
    ---
    get:
      summary: 合同报备情况汇总
      responses:
        200: {description: 汇总}
    """
    return {"items": [summary_dict(s) for s in overview(me())]}
