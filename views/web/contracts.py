"""Contract filing pages ([WJ] 第十五条): an agency's filed contracts with flags; the officials' overview."""
from flask import redirect, render_template, url_for
from flask_login import current_user, login_required

from rules.supervision_policy import city_supervision
from workflows import clock
from workflows.contracts import contract_flags, contracts_of, overview, summarize
from workflows.errors import NotAllowed, NotFound
from workflows.staff import visible_agency

from . import web


@web.get("/contracts")
@login_required
def contracts_home():
    """The agency goes to its own contracts; officials see every agency's counts."""
    from flask import current_app
    if current_user.role == "agency":
        if current_user.agency_id is None:
            raise NotFound("您的账号尚未关联已登记建档的机构")
        return redirect(url_for("web.agency_contracts", agency_id=current_user.agency_id))
    if current_user.role not in ("county_official", "city_official", "leader", "auditor", "admin"):
        raise NotAllowed("您无权查看合同报备情况")
    return render_template("contracts/overview.html", rows=overview(current_user),
                           cfg=city_supervision(current_app.config).contracts)


@web.get("/agencies/<int:agency_id>/contracts")
@login_required
def agency_contracts(agency_id: int):
    """An agency's filed contracts, each with its filing period and flags."""
    from flask import current_app
    agency = visible_agency(current_user, agency_id)
    today = clock.today()
    rows = [(c, contract_flags(c, today)) for c in contracts_of(agency.id)]
    return render_template("contracts/agency.html", agency=agency, rows=rows, summary=summarize(agency, today),
                           cfg=city_supervision(current_app.config).contracts)
