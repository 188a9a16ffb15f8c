"""Demo data for `flask seed-demo`: users of every role, and agencies in several registration states.

Everything goes through the domain verbs (start_case, complete_task, upload_document), so the demo cases
have real workflow state, inbox rows and audit trails. Passwords are printed: demo only.
"""
from flask import current_app
from sqlalchemy import select

from commands import bootstrap_units
from models import User, db
from rules.credit_code import make_credit_code
from workflows.cases import start_case
from workflows.deploy import deploy_shipped
from workflows.documents import upload_document
from workflows.people import create_user
from workflows.queries import case_open_tasks
from workflows.tasks import complete_task

DEMO_PASSWORD = "anfu-demo-2026"
DEMO_PDF = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>> endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>> endobj\n"
            b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>> endobj\nxref\n0 4\n0000000000 65535 f \n"
            b"0000000009 00000 n \n0000000053 00000 n \n0000000103 00000 n \ntrailer<</Size 4/Root 1 0 R>>\n"
            b"startxref\n167\n%%EOF\n")
AGENCIES = [  # (name, what the county reviewer did, index of its county among the demo reviewers)
    ("晋城市安泰安全技术服务有限公司", "approve", 0),
    ("山西晋安检测检验有限公司", "approve", 1),
    ("晋城市众安安全咨询有限公司", "review", 0),
    ("沁水县恒信安全评价有限公司", "return", 1),
    ("阳城县诚达安全培训中心", "reject", 2),
    ("晋城市城区宏达安全技术咨询有限公司", "review", 0),
]


def _user(username: str, role: str, name: str, unit: str | None = None) -> User:
    existing = db.session.execute(select(User).where(User.username == username)).scalar_one_or_none()
    return existing or create_user(username, DEMO_PASSWORD, role=role, display_name=name, unit_code=unit)


def _application(name: str, county: str, n: int, case_id: int, user) -> dict:
    data = {"name": name, "credit_code": make_credit_code(f"91{county}MA0DEM{n:03d}"), "legal_representative": "张伟",
            "contact_person": "刘洋", "contact_phone": "13900139000", "email": f"agency{n}@demo.example.cn",
            "address": f"{name}办公楼", "county": county, "staff_count": 12 + n,
            "service_categories": ["安全评估评价", "安全咨询托管"], "business_scope": "安全评价；安全生产咨询；隐患排查",
            "qualification_required": n % 2 == 1}
    for m in current_app.config["CITY_POLICY"].registration_materials:
        doc = upload_document(user, _case(case_id), filename=f"{m['title']}.pdf", content=DEMO_PDF, kind=m["kind"])
        data[m["kind"]] = doc.id
    return data


def _case(case_id: int):
    from models import Case
    return db.session.get(Case, case_id)


def seed_demo() -> list[str]:
    """Create the demo world; returns the lines to print."""
    bootstrap_units()
    deploy_shipped()
    city = current_app.config["CITY_POLICY"]
    counties = [u["code"] for u in city.review_units()]
    lines = [f"demo city: {city.name} ({city.code}); password for every demo user: {DEMO_PASSWORD}"]
    people = [("admin", "admin", "系统管理员", None), ("city", "city_official", "市局 赵科长", None),
              ("leader", "leader", "市局 钱局长", None), ("owner", "process_owner", "流程管理员 孙工", None),
              ("auditor", "auditor", "审计 周审计", None), ("expert1", "expert", "专家 吴教授", None),
              ("expert2", "expert", "专家 郑高工", None)]
    people += [(f"county{i + 1}", "county_official", f"县局 审核员{i + 1}", code) for i, code in enumerate(counties[:3])]
    for username, role, name, unit in people:
        _user(username, role, name, unit)
        lines.append(f"  {username:10s} {role:16s} {name}")
    db.session.commit()
    reviewers = {u.unit_code: u for u in db.session.execute(select(User).where(User.role == "county_official")).scalars()}
    for n, (name, target, county_index) in enumerate(AGENCIES, start=1):
        username = f"agency{n}"
        if db.session.execute(select(User).where(User.username == username)).scalar_one_or_none():
            continue
        county = counties[county_index % len(counties)]
        user = create_user(username, DEMO_PASSWORD, role="agency", display_name=f"{name} 经办人")
        case = start_case(user, "registration")
        db.session.flush()
        task = case_open_tasks(case.id)[0][0]
        complete_task(user, task.id, _application(name, county, n, case.id, user))
        reviewer = reviewers[county]
        if target != "review":
            review = case_open_tasks(case.id)[0][0]
            opinion = {"approve": "", "return": "营业执照复印件不清晰，请补正", "reject": "不具备独立法人资格"}[target]
            complete_task(reviewer, review.id, {"decision": target, "opinion": opinion})
        db.session.commit()
        lines.append(f"  {username:10s} agency           {name} → {target}")
    lines += _demo_supervision(city)
    return lines


def _self_assessment(scheme: str) -> dict:
    """A plausible self-assessment: every item at its maximum but the staffing item, with a note."""
    from handlers._grading_forms import expert_items, slug
    from workflows.grading import grading_schemes
    sheet = grading_schemes()[scheme]
    data = {"summary": "2021年以来开展安全评价、隐患排查等技术服务项目共38项。"}
    for item in expert_items(sheet):
        data[f"self_{slug(item.code)}"] = float(item.max)
    first = expert_items(sheet)[1]
    data[f"self_{slug(first.code)}"] = float(first.max) - 1
    data[f"self_note_{slug(first.code)}"] = "注册安全工程师缺1名，已在招聘"
    return data


def _demo_supervision(city) -> list[str]:
    """A grading round waiting for the experts, and an interview notice waiting for the leader's approval."""
    from datetime import timedelta

    from models import Agency, GradingRound, OpenTask
    from workflows.clock import today
    from workflows.grading import open_round
    if db.session.execute(select(GradingRound.id)).first():
        return []
    people = {u.username: u for u in db.session.execute(select(User)).scalars()}
    agencies = list(db.session.execute(select(Agency).where(Agency.status == "registered").order_by(Agency.id)).scalars())
    if not agencies:
        return []
    start = today()
    scheme = "jiaxing" if current_app.config["ANFU_CITY"] == "jiaxing" else "linyi"
    rnd, _ = open_round(people["city"], scheme=scheme, year=start.year, self_assessment_ends_on=start + timedelta(days=14),
                        inspection_ends_on=start + timedelta(days=30), classification_ends_on=start + timedelta(days=45),
                        agency_ids=[a.id for a in agencies])
    db.session.flush()
    first = db.session.execute(select(OpenTask).where(OpenTask.bpmn_id == "self_assessment").order_by(OpenTask.created_at)).scalars().first()
    clerk = next(u for u in people.values() if u.agency_id == first.agency_id)
    complete_task(clerk, first.id, _self_assessment(scheme))
    panel = db.session.execute(select(OpenTask).where(OpenTask.bpmn_id == "form_panel")).scalars().first()
    complete_task(people["city"], panel.id, {"panel": [people["expert1"].id, people["expert2"].id], "lead": people["expert1"].id})
    ground = city.interview_grounds[0]["code"]
    start_case(people["city"], "interview", {
        "agency_id": agencies[-1].id, "grounds": [ground], "evidence": "监督检查中发现安全评价报告遗漏重大危险源辨识。",
        "interview_time": f"{(start + timedelta(days=10)).isoformat()}T09:30", "interview_place": "市应急管理局三楼会议室",
        "attendees_required": "主要负责人", "contact_name": "赵科长", "contact_phone": "0356-2020000"})
    db.session.commit()
    return [f"  grading round {rnd.title}: expert1 has a scoring task; interview notice awaiting leader approval"]
