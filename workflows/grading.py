"""Verbs on grading rounds: open a round with its participants, file a public objection, publish the final list."""
import secrets
from datetime import date

from sqlalchemy import select

from models import Agency, GradingEntry, GradingRound, Objection, User, db
from rules.policy import grading_schemes, shipped_sheet

from . import audit, clock, guards
from .cases import send_message, start_case
from .documents import attach_public_document
from .errors import Conflict, DomainError, InvalidInput, NotAllowed, NotFound

PANEL_MODES = {"mean": "取各专家评分的平均", "consensus": "评估小组组长录入合议分"}


def scheme_sheet(scheme: str):
    """The scoring sheet of a grading scheme (`linyi` 附件1, `jiaxing` 表A; policies/<city>/*_sheet.yaml)."""
    return shipped_sheet(grading_schemes()[scheme])


def listed_grades(scheme: str) -> tuple[str, ...]:
    """The grades the final list names (临沂 一般 and above, [LY22] 四(三); 嘉兴 the starred ones)."""
    return tuple(scheme_sheet(scheme).raw["final_list"]["grades"])


def open_round(user, *, scheme: str, year: int, self_assessment_ends_on: date, inspection_ends_on: date,
               classification_ends_on: date, agency_ids: list[int],
               panel_mode: str | None = None) -> tuple[GradingRound, list[dict]]:
    """Open a round and start one grading case per agency; refused agencies are returned with the reason.

    `panel_mode` (mean of the experts, or the lead's consensus entry) defaults to the sheet's setting."""
    if user.role != "city_official":
        raise NotAllowed("只有市级监管人员可以组织分类等级评定")
    errors: dict[str, list[str]] = {}
    schemes = grading_schemes()
    if scheme not in schemes:
        errors["scheme"] = [f"评定方案应为：{'、'.join(schemes)}"]
    else:
        errors.update(_cycle_errors(scheme, year))
        panel_mode = panel_mode or str(scheme_sheet(scheme).settings["panel_mode"])
    if panel_mode is not None and panel_mode not in PANEL_MODES:
        errors["panel_mode"] = [f"评分方式应为：{'、'.join(PANEL_MODES.values())}"]
    if not (self_assessment_ends_on <= inspection_ends_on <= classification_ends_on):
        errors["classification_ends_on"] = ["三个阶段的截止日期应依次排列"]
    if self_assessment_ends_on < clock.today():
        errors["self_assessment_ends_on"] = ["自查自评截止日期不能早于今天"]
    if not agency_ids:
        errors["agency_ids"] = ["请选择参加评定的机构"]
    if errors:
        raise InvalidInput("评定轮次信息有误", errors)
    sheet = scheme_sheet(scheme)
    rnd = GradingRound(scheme=scheme, year=year, title=f"{year}年度{sheet.raw['scheme']['round_title']}",
                       self_assessment_ends_on=self_assessment_ends_on, inspection_ends_on=inspection_ends_on,
                       classification_ends_on=classification_ends_on, status="open", created_by_id=user.id,
                       panel_mode=panel_mode,
                       created_at=clock.now())
    db.session.add(rnd)
    db.session.flush()
    refused = []
    for agency_id in agency_ids:
        agency = db.session.get(Agency, agency_id)
        if agency is None or agency.status != "registered":
            refused.append({"agency_id": agency_id, "reason": "未登记建档的机构不能参加评定"})
            continue
        try:
            guards.check(user, "participate:grading", agency_id=agency.id)
        except DomainError as err:
            refused.append({"agency_id": agency_id, "reason": err.message})
            continue
        entry = GradingEntry(round_id=rnd.id, agency_id=agency.id, phase="self_assessment")
        db.session.add(entry)
        db.session.flush()
        case = start_case(user, sheet.raw["scheme"]["process"], title=f"{agency.name} {rnd.title}", via="round",
                          agency_id=agency.id, unit_code=agency.county_code, credit_code=agency.credit_code,
                          variables={"entry_id": entry.id, "round_id": rnd.id, "agency_id": agency.id,
                                     "sheet": grading_schemes()[scheme], "panel_mode": panel_mode,
                                     "self_assessment_ends_on": self_assessment_ends_on.isoformat()})
        entry.case_id = case.id
    audit.record("grading_round_opened", actor=user, detail={"round_id": rnd.id, "year": year, "scheme": scheme,
                                                             "panel_mode": panel_mode,
                                                             "refused": refused})
    return rnd, refused


def scheme_notes(scheme: str) -> dict:
    """What the public pages say about a scheme: grade label, publicity basis, who is listed, band caveats."""
    sheet = scheme_sheet(scheme)
    raw, publicity, listed = sheet.raw, sheet.raw["publicity"], sheet.raw["final_list"]
    default = "；默认值，非标准规定" if publicity.get("from_standard") is False else ""
    return {"grade_label": raw["scheme"].get("grade_label", "等级"),
            "title": raw["scheme"]["round_title"],
            "publicity": f"{raw['scheme']['round_title']}：公示期为{publicity['working_days']}个工作日"
                         f"（{publicity['source']}{default}）",
            "final_list": f"{listed['text']}（{listed['source']}）",
            "bands": "分档为默认值，非标准规定" if any(not b.from_standard for b in sheet.bands) else ""}


def _cycle_errors(scheme: str, year: int) -> dict:
    """嘉兴 rates every two years ([JX] 星级评定): a round within the cycle of the previous one is refused."""
    raw = scheme_sheet(scheme).raw["scheme"]
    cycle = int(raw.get("cycle_years") or 1)
    if not 2000 <= year <= 2100:
        return {"year": ["请填写评定年度"]}
    if cycle <= 1:
        return {}
    previous = db.session.scalar(select(GradingRound.year).where(GradingRound.scheme == scheme,
                                                                 GradingRound.year > year - cycle,
                                                                 GradingRound.year < year + cycle)
                                 .order_by(GradingRound.year.desc()).limit(1))
    if previous is None:
        return {}
    return {"year": [(f"每{cycle}年开展一次（{raw.get('cycle_source', '')}）：{previous}年度已开展，"
                     f"下一次为{previous + cycle}年度或以后")]}


def barred_experts() -> dict[int, str]:
    """Expert accounts of staff who failed the latest staff exam of their agency ([LY22] 五、六(三)): id → reason.

    Matched by the expert's agency and name as entered on the exam roster (the roster holds names only)."""
    failed = {agency_id: set(names) for agency_id, names in failed_staff_by_agency().items()}
    if not failed:
        return {}
    rows = db.session.execute(select(User.id, User.agency_id, User.display_name)
                              .where(User.role == "expert", User.agency_id.in_(list(failed)))).all()
    return {i: "技术人员抽考不合格" for i, agency_id, name in rows if name in failed.get(agency_id, set())}


def failed_staff_by_agency(agency_id: int | None = None) -> dict[int, list[str]]:
    """Per agency, the staff below the pass mark in its latest examined grading (a later pass clears them)."""
    query = (select(GradingEntry.agency_id, GradingEntry.failed_staff)
             .where(GradingEntry.phase.in_(("publicity", "final"))).order_by(GradingEntry.id))
    if agency_id is not None:
        query = query.where(GradingEntry.agency_id == agency_id)
    latest: dict[int, list[str]] = {}
    for agency, names in db.session.execute(query).all():
        latest[agency] = list(names or [])
    return {a: n for a, n in latest.items() if n}


def file_objection(entry_id: int, *, text: str, name: str = "", contact: str = "", filename: str = "",
                   content: bytes = b"") -> Objection:
    """Anyone may object during publicity ([LY22] 四(三)); the objection reaches the agency's case as a message."""
    entry = db.session.get(GradingEntry, entry_id)
    if entry is None or entry.phase != "publicity" or entry.publicity_until is None \
            or entry.publicity_until <= clock.now():
        raise Conflict("该机构不在公示期内，不能提出异议")
    errors = {}
    if not (text or "").strip():
        errors["text"] = ["请写明异议内容"]
    elif len(text) > 4000:
        errors["text"] = ["异议内容不超过4000字"]
    if errors:
        raise InvalidInput("异议内容有误", errors)
    who = (name or "").strip() or "公众（匿名）"
    doc = attach_public_document(entry.case_id, filename=filename, content=content, kind="objection_evidence",
                                 actor_name=who) if content else None
    objection = Objection(entry_id=entry.id, name=(name or "").strip() or None, contact=(contact or "").strip() or None,
                          text=text.strip(), document_id=doc.id if doc else None, status="received",
                          tracking_code=secrets.token_hex(4).upper(), created_at=clock.now())
    db.session.add(objection)
    db.session.flush()
    send_message(entry.case_id, "objection_received",
                 {"objection_id": objection.id, "text": objection.text, "named": objection.name is not None},
                 actor_name=who)
    return objection


def objection_by_code(code: str) -> Objection | None:
    """The objection with this 受理编号 (exact match), or None."""
    if not code or len(code) > 16:
        return None
    return db.session.execute(select(Objection).where(Objection.tracking_code == code)).scalar_one_or_none()


def publish_final_list(user, round_id: int, *, confirmed: bool = False) -> GradingRound:
    """When every case of the round is final (or waived) and the official has checked the list, publish it."""
    if user.role != "city_official":
        raise NotAllowed("只有市级监管人员可以公布最终名单")
    rnd = db.session.get(GradingRound, round_id)
    if rnd is None:
        raise NotFound("评定轮次不存在")
    pending = [e.agency.name for e in entries(round_id) if e.phase not in ("final", "waived")]
    if pending:
        raise Conflict(f"以下机构的评定尚未结束，不能公布最终名单：{'、'.join(pending)}")
    if not confirmed:
        raise InvalidInput("请先核对将公布的最终名单", {"confirmed": ["请先核对将公布的最终名单并勾选确认"]})
    rnd.status, rnd.final_published_on = "final", clock.today()
    audit.record("grading_final_list_published", actor=user, detail={
        "round_id": rnd.id, "listed": [[e.agency.name, e.final_score, e.grade] for e in final_list(round_id)]})
    return rnd


def entries(round_id: int) -> list[GradingEntry]:
    return list(db.session.execute(select(GradingEntry).where(GradingEntry.round_id == round_id)
                                   .order_by(GradingEntry.final_score.desc().nulls_last(), GradingEntry.id)).scalars())


def final_list(round_id: int) -> list[GradingEntry]:
    """The listed grades of the round's scheme (临沂 一般 and above, [LY22] 四(三)), best first."""
    rnd = db.session.get(GradingRound, round_id)
    grades = listed_grades(rnd.scheme)
    return [e for e in entries(round_id) if e.phase == "final" and e.grade in grades]


def in_publicity() -> list[GradingEntry]:
    now = clock.now()
    return [e for e in db.session.execute(select(GradingEntry).where(GradingEntry.phase == "publicity")).scalars()
            if e.publicity_until and e.publicity_until > now]
