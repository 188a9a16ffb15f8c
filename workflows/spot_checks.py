"""Spot-check rounds: a county's half-year draw of each agency's projects, its report to the city, and the
city's unannounced (四不两直) checks.

[JC] 第十六条: 每半年随机抽查, 每个机构不少于项目数的30%, 检查报告报送市应急管理局, 市局“四不两直”; [WJ] 第二十二条;
[LY22] 六(四). Projects are the contracts the agency filed (`ServiceContract`) whose service period overlaps the
half-year. The draw is `rules.spot_check_policy.draw_projects(ids, seed, ratio)`: the seed is kept on the round
and in the audit trail, so anyone can redo it.
"""
import json
import secrets

from flask import current_app
from sqlalchemy import select

from models import Agency, ServiceContract, SpotCheckInspection, SpotCheckRound, User, db
from rules.spot_check_policy import draw_projects, half_year_bounds, half_year_name, load_spot_checks

from . import audit, clock
from .cases import START_VIA
from .errors import Conflict, InvalidInput, NotAllowed, NotFound
from .notify import notify_users
from .runtime import latest_version, start_workflow_case

PROCESS = "spot_check"
START_VIA.setdefault("spot_check", "由县级监管人员在“抽查检查”页面发起半年度抽查轮次，或由市级监管人员发起“四不两直”检查")


def spot_policy():
    """The deployment city's spot-check policy (NotFound where its rules have none)."""
    policy = load_spot_checks(current_app.config["CITY_POLICY"].key)
    if policy is None:
        raise NotFound("本市管理办法未规定对技术服务机构服务项目的抽查检查")
    return policy


def _period(period: str) -> tuple[str, object, object]:
    try:
        start, end = half_year_bounds(period)
    except ValueError as err:
        raise InvalidInput(str(err), {"period": [str(err)]}) from None
    return str(period).strip().upper(), start, end


def _project(c: ServiceContract) -> dict:
    return {"contract_id": c.id, "client_name": c.client_name, "content": c.content, "service_type": c.service_type,
            "town": c.town, "signed_on": c.signed_on.isoformat(), "ends_on": c.ends_on.isoformat()}


def county_projects(county: str, start, end) -> dict[int, list[ServiceContract]]:
    """Each registered agency of the county with the contracts it filed that run during [start, end]."""
    rows = db.session.execute(select(ServiceContract).join(Agency, Agency.id == ServiceContract.agency_id).where(
        Agency.county_code == county, Agency.status == "registered", ServiceContract.signed_on <= end,
        ServiceContract.ends_on >= start).order_by(ServiceContract.agency_id, ServiceContract.id)).scalars()
    out: dict[int, list[ServiceContract]] = {}
    for c in rows:
        out.setdefault(c.agency_id, []).append(c)
    return out


def draw(county: str, period: str, seed: int) -> list[dict]:
    """The sample per agency for a county, half-year and seed (pure: nothing is saved)."""
    policy = spot_policy()
    _, start, end = _period(period)
    return [{"agency_id": agency_id, "project_total": len(contracts),
             "drawn": draw_projects([c.id for c in contracts], seed, policy.ratio)}
            for agency_id, contracts in county_projects(county, start, end).items()]


def _seed(seed) -> int | None:
    """The given seed, a fresh one when none is given, None when it is not a valid seed."""
    if seed in (None, ""):
        return secrets.randbelow(2**31)
    try:
        value = int(seed)
    except (TypeError, ValueError):
        return None
    return value if 0 <= value < 2**31 else None


def start_round(actor, period: str, inspectors: str, seed=None) -> SpotCheckRound:
    """A county official opens the half-year round: draw, record the seed, open one case per agency (flushes)."""
    if actor.role != "county_official" or not actor.unit_code:
        raise NotAllowed("只有县级监管人员可以发起本辖区的半年度抽查")
    policy = spot_policy()
    label, start, end = _period(period)
    errors = {}
    if not (inspectors or "").strip():
        errors["inspectors"] = ["请填写检查人员"]
    elif len(inspectors) > 500:
        errors["inspectors"] = ["长度不能超过 500 个字符"]
    value = _seed(seed)
    if value is None:
        errors["seed"] = ["随机种子应为 0 至 2147483647 之间的整数"]
    if errors:
        raise InvalidInput("请更正标出的项目", errors)
    if db.session.execute(select(SpotCheckRound.id).where(
            SpotCheckRound.county_code == actor.unit_code, SpotCheckRound.period == label)).first():
        raise Conflict(f"本辖区{half_year_name(label)}抽查已发起")
    projects = county_projects(actor.unit_code, start, end)
    if not projects:
        raise InvalidInput("本辖区该半年度没有已报备的服务项目，无可抽查",
                           {"period": ["没有服务期与该半年度重叠的已报备合同"]})
    now = clock.now()
    rnd = SpotCheckRound(county_code=actor.unit_code, period=label, seed=value, ratio=str(policy.ratio),
                         inspectors=inspectors.strip(), status="open", started_by_id=actor.id, started_at=now)
    db.session.add(rnd)
    db.session.flush()
    version, samples = latest_version(PROCESS), []
    for agency_id, contracts in projects.items():
        drawn = draw_projects([c.id for c in contracts], value, policy.ratio)
        agency = db.session.get(Agency, agency_id)
        chosen = [_project(c) for c in contracts if c.id in drawn]
        _open_case(actor, version, agency, rnd, chosen, len(contracts), kind="round",
                   title=f"{agency.name} {half_year_name(label)}{policy.title}", unit_code=actor.unit_code)
        samples.append({"agency_id": agency_id, "project_total": len(contracts), "drawn": drawn})
    audit.record("spot_check_round_started", actor=actor, detail={
        "round_id": rnd.id, "county": actor.unit_code, "period": label, "seed": value, "ratio": str(policy.ratio),
        "inspectors": rnd.inspectors, "samples": samples, "basis": policy.settings.basis("ratio")})
    return rnd


def _open_case(actor, version, agency, rnd, projects, total, *, kind, title, unit_code) -> SpotCheckInspection:
    hidden = kind == "unannounced"  # 四不两直: the agency sees nothing until the result
    step = start_workflow_case(actor, version, title=title, variables={
        "kind": kind, "agency_name": agency.name, "projects": projects, "round_id": rnd.id if rnd else None,
        "inspectors": rnd.inspectors if rnd else actor.display_name},
        agency_id=None if hidden else agency.id, unit_code=unit_code,
        credit_code=None if hidden else agency.credit_code)
    case = step.save()
    row = SpotCheckInspection(round_id=rnd.id if rnd else None, kind=kind, agency_id=agency.id, case_id=case.id,
                              project_total=total, contract_ids=json.dumps([p["contract_id"] for p in projects]),
                              status="open", findings="[]")
    db.session.add(row)
    db.session.flush()
    return row


def start_unannounced(actor, contract_id) -> SpotCheckInspection:
    """A city official checks one chosen project unannounced (四不两直): no task or notice to the agency (flushes)."""
    if actor.role != "city_official":
        raise NotAllowed("只有市级监管人员可以发起“四不两直”检查")
    policy = spot_policy()
    if not policy.settings["unannounced"]:
        raise NotFound(f"本市管理办法未规定“四不两直”检查（{policy.settings.basis('unannounced')}）")
    try:
        contract = db.session.get(ServiceContract, int(contract_id))
    except (TypeError, ValueError):
        contract = None
    if contract is None:
        raise InvalidInput("请选择要检查的服务项目", {"contract_id": ["未找到该服务项目"]})
    agency = db.session.get(Agency, contract.agency_id)
    row = _open_case(actor, latest_version(PROCESS), agency, None, [_project(contract)], 1, kind="unannounced",
                     title=f"“四不两直”检查：{agency.name}（{contract.client_name}）", unit_code=None)
    audit.record("spot_check_unannounced_started", actor=actor, case_id=row.case_id,
                 detail={"contract_id": contract.id, "agency_id": agency.id,
                         "basis": policy.settings.basis("unannounced")})
    return row


def get_round(actor, round_id: int) -> SpotCheckRound:
    """A round the user may see: its county's officials, city officials, leaders and auditors."""
    rnd = db.session.get(SpotCheckRound, round_id)
    if rnd is None:
        raise NotFound("未找到该抽查轮次")
    if actor.role in ("city_official", "leader", "auditor", "admin"):
        return rnd
    if actor.role == "county_official" and actor.unit_code == rnd.county_code:
        return rnd
    raise NotAllowed("您不能查看该抽查轮次")


def rounds_for(actor) -> list[SpotCheckRound]:
    """Rounds the user may see, newest first."""
    query = select(SpotCheckRound).order_by(SpotCheckRound.id.desc())
    if actor.role == "county_official":
        query = query.where(SpotCheckRound.county_code == actor.unit_code)
    elif actor.role not in ("city_official", "leader", "auditor", "admin"):
        raise NotAllowed("您的角色不能查看抽查检查")
    return list(db.session.execute(query).scalars())


def report_round(actor, round_id: int, note: str) -> SpotCheckRound:
    """The county sends its round report to the city once every inspection is concluded ([JC] 第十六条)."""
    rnd = get_round(actor, round_id)
    if actor.role != "county_official":
        raise NotAllowed("只有本辖区县级监管人员可以报送检查报告")
    if rnd.status != "open":
        raise Conflict("检查报告已报送")
    if any(i.status != "concluded" for i in rnd.inspections):
        raise Conflict("尚有机构的抽查检查未办结，不能报送检查报告")
    if len(note or "") > 4000:
        raise InvalidInput("请更正标出的项目", {"note": ["长度不能超过 4000 个字符"]})
    rnd.status, rnd.reported_at, rnd.report_note = "reported", clock.now(), (note or "").strip()
    db.session.flush()
    city = db.session.execute(select(User.id).where(User.role == "city_official", User.active)).scalars()
    notify_users(city, "spot_check_report", f"{half_year_name(rnd.period)}抽查检查报告已报送（{rnd.county_code}），请查阅确认",
                 dedupe_key=f"spot_check_report:{rnd.id}")
    audit.record("spot_check_round_reported", actor=actor, detail={"round_id": rnd.id, "note": rnd.report_note})
    return rnd


def acknowledge_round(actor, round_id: int) -> SpotCheckRound:
    """A city official confirms receipt of a county's round report."""
    rnd = get_round(actor, round_id)
    if actor.role != "city_official":
        raise NotAllowed("只有市级监管人员可以确认收到检查报告")
    if rnd.status != "reported":
        raise Conflict("该抽查轮次尚未报送检查报告，或已确认")
    rnd.status, rnd.acknowledged_at, rnd.acknowledged_by_id = "acknowledged", clock.now(), actor.id
    db.session.flush()
    audit.record("spot_check_round_acknowledged", actor=actor, detail={"round_id": rnd.id})
    return rnd


def round_json(rnd: SpotCheckRound) -> dict:
    """A round as the API returns it: seed, ratio and every agency's sample with its case."""
    return {"id": rnd.id, "county_code": rnd.county_code, "period": rnd.period, "seed": rnd.seed, "ratio": rnd.ratio,
            "inspectors": rnd.inspectors, "status": rnd.status,
            "inspections": [{"agency_id": i.agency_id, "agency_name": i.agency.name, "case_id": i.case_id,
                             "project_total": i.project_total, "drawn": json.loads(i.contract_ids),
                             "status": i.status, "conclusion": i.conclusion, "growth_score": i.growth_score}
                            for i in rnd.inspections]}
