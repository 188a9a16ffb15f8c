"""One Chinese label table per kind of code (audit actions, outcomes, document kinds, roles, statuses, decisions).

Pages, print views and exports show codes only through `label(kind, code)`; handlers may `register` their own.
Ground codes and catalogue keys ("[JC] 第十条") come from the deployment city's policy, never from here.
"""
from __future__ import annotations

import re

from models import ROLES

_TABLES: dict[str, dict[str, str]] = {
    "action": {
        "case_started": "发起案件", "task_created": "任务到达", "task_claimed": "认领", "task_unclaimed": "退回认领",
        "task_reassigned": "转办", "task_completed": "办理", "timer_fired": "期限届满", "message_received": "收到事项",
        "document_uploaded": "上传材料", "document_generated": "生成文书", "agency_registered": "登记建档",
        "engine_error": "流程出错", "case_requested": "请求后续案件", "case_linked": "关联案件",
        "case_migrated": "迁移流程版本", "case_exported": "导出案卷", "process_deployed": "部署流程",
        "process_published": "发布流程版本", "process_republished": "重新发布流程版本",
        "process_draft_saved": "保存流程草稿", "agency_listed": "列入严重失信主体名单",
        "listing_expired": "名单期满移出", "listing_lifted": "解除列入", "listing_repaired": "信用修复提前移出",
        "listing_restored": "撤销移出、恢复列入", "bulletin_published": "发布通报", "reminder_sent": "期限提醒",
        "report_submitted": "报送定期报告", "report_accepted": "定期报告审核通过", "report_overdue": "逾期未报",
        "deadline_recomputed": "期限重新计算", "reports_opened": "发起定期报告",
        "panel_disagreement": "评估小组意见分歧", "exam_sample_drawn": "抽取抽考人员", "publicity_started": "开始公示",
        "objection_received": "收到异议", "objection_upheld": "异议成立", "objection_dismissed": "异议不成立",
        "grade_final": "评定结果确定", "grading_final_list_published": "公布评定结果名单",
        "grading_round_opened": "开启评定批次", "grading_waived": "免于评定", "calendar_day_set": "设置日历日",
        "calendar_day_deleted": "删除日历日", "calendar_year_declared": "声明年度日历", "user_created": "创建用户",
        "login_succeeded": "登录", "login_failed": "登录失败", "logout": "退出登录",
        "notification_queued": "生成通知", "notification_sent": "发送通知", "task_reminded": "催办",
        "case_withdrawn": "作废案件", "draft_saved": "暂存",
        "access_revoked": "撤销登录状态", "token_revoked": "撤销访问令牌", "user_enabled": "启用用户",
        "contract_filed": "合同报备", "contract_acknowledged": "确认合同报备", "contract_delivered": "上传成果文件",
        "staff_added": "新增从业人员", "staff_updated": "修改从业人员信息", "staff_left": "人员离职",
        "staff_imported": "导入人员库", "staff_exam_set": "记录考核合格", "staff_conflict_concluded": "多机构从业核查结论",
    },
    "outcome": {
        "approved": "已登记建档", "rejected": "不予登记", "withdrawn": "视为撤回", "voided": "已作废", "rectified": "整改合格",
        "referred": "移送列入严重失信主体名单程序", "not_listed": "不予列入", "expired": "期满移出",
        "repaired": "信用修复移出", "final": "评定结果已确定", "waived": "免于评定", "listed": "已列入",
        "confirmed": "确认多机构从业", "cleared": "核实不属于多机构从业", "completed": "已报备并上传成果",
        "filed_late": "逾期报备", "delivered_late": "成果逾期上传",  # staff_conflict, contract_filing
    },
    "status": {"running": "办理中", "completed": "已办结", "error": "出错", "cancelled": "已撤销",
               "active": "列入中", "early_removed": "已提前移出", "lifted": "已解除",
               "upheld": "异议成立", "dismissed": "异议不成立", "pending": "待处理", "registered": "已登记建档"},
    "document_kind": {
        "interview_notice": "警示约谈通知书", "interview_record": "警示约谈记录",
        "blacklist_notice": "列入安全生产严重失信主体名单告知书",
        "blacklist_decision": "列入安全生产严重失信主体名单决定书",
        "registration_receipt": "安全生产技术服务机构登记建档回执", "objection_evidence": "异议证据材料",
    },
    "role": dict(ROLES),
    "decision": {"approve": "同意", "return": "退回修改", "reject": "不予通过", "accept": "整改合格",
                 "again": "继续整改", "refer": "移送列入程序", "list": "列入", "no_list": "不予列入",
                 "grant": "同意移出", "refuse": "不同意", "keep": "维持移出", "revoke": "撤销移出",
                 "uphold": "异议成立", "dismiss": "异议不成立"},
}
_TAG = re.compile(r"\[([A-Za-z0-9]+)\]\s*")


def register(kind: str, codes: dict[str, str]) -> None:
    """Add (or override) Chinese labels of one kind; a handler registers the codes it introduces."""
    _TABLES.setdefault(kind, {}).update(codes)


def label(kind: str, code, default: str | None = None) -> str:
    """The Chinese label of a code; a ground code is looked up in the city policy; unknown codes stay as given."""
    if code is None or code == "":
        return ""
    text = _TABLES.get(kind, {}).get(str(code))
    if text is None and kind in ("ground", "decision"):
        text = ground_title(str(code))
    return text if text is not None else (default if default is not None else str(code))


def table(kind: str) -> dict[str, str]:
    """A copy of one label table (for scripts such as the diagram viewer's lane names)."""
    return dict(_TABLES.get(kind, {}))


def _policy():
    from flask import current_app, has_app_context
    return current_app.config.get("CITY_POLICY") if has_app_context() else None


def ground_title(code: str) -> str | None:
    """A ground (约谈情形, 列入情形) or other cited policy row by its code: its Chinese title."""
    policy = _policy()
    if policy is None:
        return None
    try:
        row = policy.row(code)
    except (KeyError, LookupError):
        return None
    return (row or {}).get("title") or (row or {}).get("text")


def cite(text) -> str:
    """Catalogue keys written out: "[JC] 第十条" → "《晋城市…(试行)》第十条" (the city's documents table first,
    then the other shipped cities', e.g. a grading scheme's [LY22] shown in another city)."""
    if not text:
        return ""
    policy = _policy()
    text = policy.cite(str(text)) if policy is not None else str(text)
    return _TAG.sub(lambda m: _other_title(m.group(1)) or m.group(0), text) if "[" in text else text


def _other_title(key: str) -> str | None:
    from rules.city_policy import list_cities, load_city
    for city in list_cities():
        documents = load_city(city).documents
        if key in documents:
            return str(documents[key]["title"])
    return None


_TRAILING = "。，；、,;.：: \u3000"


def clause(text) -> str:
    """User text prepared for joining into a sentence: trailing 。，；、 and spaces removed."""
    return str(text or "").strip().rstrip(_TRAILING)
