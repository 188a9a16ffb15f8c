"""临沂 附件1 and 嘉兴 表A as data, scored by rules/scoring.py, graded by the DMN tables via SpiffWorkflow."""
import copy
import re
from functools import cache
from pathlib import Path

import pytest
from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.spiff.parser.process import VALIDATOR, SpiffBpmnParser
from SpiffWorkflow.util.task import TaskState

from rules.policy import SheetError, parse_sheet, shipped_sheet
from rules.scoring import (
    band_for,
    draw_staff_sample,
    exam_part_score,
    failed_staff,
    panel_item_score,
    satisfaction_score,
    score_item,
    score_sheet,
)

ROOT = Path(__file__).resolve().parent.parent
SEEDS = Path("/work/shared/seeds")
LINYI, JIAXING = shipped_sheet("linyi/grading_sheet"), shipped_sheet("jiaxing/star_sheet")

# (code, 序号, 标准得分) typed from [LY22] 附件1 and [JX] 表A, row by row.
LINYI_ITEMS = [("1.1", 1, 4), ("1.2", 2, 4), ("1.3", 3, 4), ("1.4", 4, 4), ("1.5", 5, 4),
               ("2.1", 6, 5), ("2.2", 7, 5), ("2.3", 8, 5), ("2.4", 9, 5),
               ("3.1", 10, 4), ("3.2", 11, 2), ("3.3", 12, 10), ("3.4", 13, 2), ("3.5", 14, 2),
               ("3.6", 15, 4), ("3.7", 16, 2), ("3.8", 17, 2), ("3.9", 18, 2),
               ("4.1", 19, 20), ("5.1", 20, 10)]
LINYI_PARTS = [("1", "基础管理", 20), ("2", "技术服务报告评查", 20), ("3", "工作实绩", 30),
               ("4", "技术人员抽考", 20), ("5", "满意度测评", 10)]
JIAXING_ITEMS = [("1.1", 1, 2), ("1.2", 2, 5), ("1.3", 3, 2), ("1.4", 4, 5), ("1.5", 5, 2), ("1.6", 6, 2),
                 ("1.7", 7, 2), ("1.8", 8, 1), ("1.9", 9, 2), ("1.10", 10, 1), ("1.11", 11, 1),
                 ("2.1", 12, 2), ("2.2", 13, 8), ("2.3", 14, 5), ("2.4", 15, 2), ("2.5", 16, 2),
                 ("2.6", 17, 2), ("2.7", 18, 2), ("2.8", 19, 2), ("2.9", 20, 7), ("2.10", 21, 6),
                 ("2.11", 22, 20), ("2.12", 23, 2), ("2.13", 24, 5), ("3.1", 25, 10)]
JIAXING_PARTS = [("1", "基础管理", 25), ("2", "工作实绩", 65), ("3", "满意度测评", 10)]
CLIENT_ITEMS = [c for c, _, _ in LINYI_ITEMS if c.startswith("3.")]


def _all_findings(item) -> dict:
    """Every finding of an item recorded at its worst."""
    worst = {"per_finding": 100, "fixed": True, "zero_out": False}
    return {r.finding: (r.points if r.type == "discretionary" else worst[r.type]) for r in item.rules}


def _linyi_inputs(**overrides) -> dict:
    """A clean 临沂 assessment: two clients visited, no findings, exam all 100, one perfect form."""
    inputs = {c: [{}, {}] for c in CLIENT_ITEMS}
    inputs.update({"4.1": [100, 100], "5.1": [dict.fromkeys([f.code for f in LINYI.form_items], 2)]})
    inputs.update(overrides)
    return inputs


@pytest.mark.parametrize("sheet, items, parts", [(LINYI, LINYI_ITEMS, LINYI_PARTS),
                                                 (JIAXING, JIAXING_ITEMS, JIAXING_PARTS)])
def test_every_seed_item_present_with_its_maximum(sheet, items, parts):
    """[LY22] 附件1 第1–20项 and [JX] 表A 第1–25项 (合计 100 each): every row with the seed's maximum."""
    assert [(it.code, it.seq, it.max) for it in sheet.items] == items
    assert [(p.code, p.title, p.max) for p in sheet.parts] == parts
    assert sheet.total == 100 == sum(m for _, _, m in items)


@pytest.mark.skipif(not SEEDS.exists(), reason="seed texts not available")
@pytest.mark.parametrize("sheet, seed", [(LINYI, "003_057d5aed4b9e56cc.txt"),
                                         (JIAXING, "004_9662efb676d06459.txt")])
def test_sheet_wording_is_the_seeds(sheet, seed):
    """Each item's title and text and each rule's phrase appear verbatim in the seed (spaces ignored)."""
    flat = re.sub(r"\s+", "", (SEEDS / seed).read_text(encoding="utf-8"))
    for it in sheet.items:
        for text in [it.title, it.text] + [r.text for r in it.rules]:
            assert re.sub(r"\s+", "", text) in flat, (it.code, text)
    for extra in [v.text for v in sheet.vetoes] + [f.text for f in sheet.form_items]:
        assert re.sub(r"\s+", "", extra) in flat


def _walk(node, path=""):
    if isinstance(node, dict):
        yield path, node
        for key, value in node.items():
            yield from _walk(value, f"{path}.{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _walk(value, f"{path}[{i}]")


@pytest.mark.parametrize("sheet", [LINYI, JIAXING])
def test_every_scoring_rule_has_a_source(sheet):
    """Every rule, item, part, band, veto, form line and setting in the YAML cites its source."""
    cited = ("type", "max", "min", "evidence_required", "value", "cap", "working_days")
    missing = [path for path, d in _walk(sheet.raw) if any(k in d for k in cited) and not d.get("source")]
    assert missing == []
    assert all(r.source.startswith(("[LY22]", "[JX]")) for it in sheet.items for r in it.rules)


def _score(sheet, code, findings):
    return score_item(sheet.item(code), findings).score


def test_linyi_basic_management_caps():
    """[LY22] 附件1 第3项 少一项扣1分扣满4分; 第4项 专人保管−1、每份档案−1扣满4分; 第2项 每少1名扣1分."""
    assert _score(LINYI, "1.3", {"缺少一项管理制度": 2}) == 2
    assert _score(LINYI, "1.3", {"缺少一项管理制度": 6}) == 0
    assert _score(LINYI, "1.4", {"未落实专人负责档案保管": True, "一个服务对象基础档案不完整": 2}) == 1
    assert _score(LINYI, "1.4", {"未落实专人负责档案保管": True, "一个服务对象基础档案不完整": 5}) == 0
    staff = {"专职安全生产技术服务人员少于10名": True, "其他中级以上职称不足5名的缺额人数": 1}
    assert _score(LINYI, "1.2", staff) == 1
    result = score_item(LINYI.item("1.5"), {"一处没有签订技术服务合同": 5})
    assert (result.score, result.deductions[0][1], result.deductions[0][2]) == (0, 5, 5.0)
    assert "扣满4分为止" in result.explanation


def test_linyi_report_review_cap_and_zero_out():
    """[LY22] 附件1 第6项 每名扣1分扣满5分为止; 第7项 报告格式不符合要求不得分; 第8、9项 不得分."""
    assert _score(LINYI, "2.1", {"一次人员不到现场": 2}) == 3
    assert _score(LINYI, "2.1", {"一次人员不到现场": 4, "一名人员工作量不符实际需要": 3}) == 0
    zeroed = score_item(LINYI.item("2.2"), {"报告格式不符合要求": True})
    assert (zeroed.score, zeroed.zeroed) == (0, True) and "不得分" in zeroed.explanation
    assert _score(LINYI, "2.2", {"报告格式不符合要求": False}) == 5
    assert _score(LINYI, "2.3", {"报告依据法律法规、标准规范不正确": True}) == 0
    assert _score(LINYI, "2.4", {"有简化程序": True}) == 0


def test_linyi_work_results_floor_and_client_average():
    """[LY22] 附件1 第12项 (10分; 2+2+8+8 可扣20, 无扣满) floors at 0; 三(三) 工作实绩 取平均值."""
    assert _score(LINYI, "3.3", {"安全隐患排查治理台帐记录不规范": True}) == 8
    assert _score(LINYI, "3.3", {"较长时间未发现安全隐患、隐患排查记录明显流于形式": False}) == 10
    floored = score_item(LINYI.item("3.3"), _all_findings(LINYI.item("3.3")))
    assert floored.score == 0 and sum(p for _, _, p in floored.deductions) == 20
    assert "最低0分" in floored.explanation
    assert _score(LINYI, "3.6", {"一处危险作业管理不到位": 3}) == 0
    visits = {"3.1": [{}, {"一人无证上岗": 2}, {"一人无证上岗": 1}],  # 4, 2, 3 → 3
              "3.3": [{"安全隐患排查治理台帐记录不规范": True},
                      {"发现10条及以上安全隐患未提出整改意见": True}, {}]}  # 8, 2, 10 → 6.67
    part = score_sheet(LINYI, _linyi_inputs(**visits)).parts[2]
    assert [i.score for i in part.items][:3] == [3.0, 2.0, 6.67]
    assert part.score == 3 + 2 + 6.67 + 2 + 2 + 4 + 2 + 2 + 2


def test_floor_at_zero_is_a_setting():
    """domain.md §8: the floor for items without 扣满X分为止 is a setting; off, 第12项 can go negative."""
    raw = copy.deepcopy(LINYI.raw)
    raw["settings"]["floor_at_zero"]["value"] = False
    sheet = parse_sheet(raw)
    assert _score(sheet, "3.3", _all_findings(sheet.item("3.3"))) == -10
    assert _score(sheet, "1.3", {"缺少一项管理制度": 6}) == 0  # 扣满4分为止 still holds


@pytest.mark.parametrize("sheet", [LINYI, JIAXING])
def test_no_item_ever_goes_below_zero(sheet):
    """domain.md §8 default: every deducting item of both tables, all findings at their worst, stops at 0."""
    deducting = [it for it in sheet.items if any(r.type != "zero_out" for r in it.rules)]
    assert len(deducting) == {"linyi_grading_2022": 15, "jiaxing_star_rating": 24}[sheet.id]
    for item in deducting:
        assert _score(sheet, item.code, _all_findings(item)) == 0, item.code


def test_jiaxing_basic_management_caps():
    """[JX] 表A 第3项 0.5/项扣满2; 第4项 合同扣满2、隐患扣满3; 第7项 扣满2; 第8项 扣满1; 第2项 职称扣2分."""
    assert _score(JIAXING, "1.3", {"缺少一项管理制度": 3}) == 0.5
    contracts = {"未将服务合同上传至综合监管平台": True, "少上传一份服务合同": 6, "少上传一次安全隐患": 3}
    assert _score(JIAXING, "1.4", contracts) == 5 - 2 - 1.5
    assert _score(JIAXING, "1.4", {"少上传一次安全隐患": 10}) == 2
    assert _score(JIAXING, "1.7", {"宣传栏未公开本单位基本情况": True}) == 1
    assert _score(JIAXING, "1.8", _all_findings(JIAXING.item("1.8"))) == 0
    assert _score(JIAXING, "1.2", {"注册安全工程师（中级）、安全评价师少于3名": True,
                                   "其他中级以上职称少于3名": True}) == 3


def test_jiaxing_work_results_caps_zero_out_and_discretion():
    """[JX] 表A 第20项 扣满7; 第22项 10+10; 第23项 每次1分扣满2; 第24项 酌情扣分扣满5、未列入不得分."""
    assert _score(JIAXING, "2.9", {"安全隐患排查治理台帐记录不规范": True}) == 5
    assert _score(JIAXING, "2.11", {"存在重大生产安全事故隐患未提出整改意见": True}) == 10
    assert _score(JIAXING, "2.12", {"服务对象发生一次生产安全死亡事故": 3}) == 0
    assert _score(JIAXING, "2.13", {"未按要求开展标准化评审工作（酌情扣分）": 1.5}) == 3.5
    assert _score(JIAXING, "2.13", {"未列入三级安全生产标准化评审机构": True}) == 0
    with pytest.raises(ValueError, match="酌情扣分应在"):
        score_item(JIAXING.item("2.13"), {"未按要求开展标准化评审工作（酌情扣分）": 6})


def test_jiaxing_whole_sheet_with_satisfaction_ratings():
    """[JX] 表A 合计100; 第25项 由县、镇级应急管理部门和委托单位进行测评，取平均分 (9+8.5+10)/3 = 9.17."""
    result = score_sheet(JIAXING, {"2.1": {"两年内签订服务合同少于350个": True}, "3.1": [9, 8.5, 10]})
    assert [p.score for p in result.parts] == [25, 63, 9.17]
    assert (result.base, result.final, result.vetoed, result.grade_hint) == (97.17, 97.17, False, "五星级")
    assert band_for(JIAXING, result.final).from_standard is False


def test_linyi_whole_sheet_hand_checked():
    """[LY22] 三: five parts; 附件1 as worked by hand: 9 + 13 + 24 + 16 + 9 = 71 → 一般, +2 bonus → 73."""
    forms = [dict.fromkeys(["合规执业", "服务质量", "规范收费", "职业道德", "公平竞争"], 2),
             {"合规执业": 2, "服务质量": 1, "规范收费": 2, "职业道德": 2, "公平竞争": 1}]
    inputs = _linyi_inputs(**{
        "1.1": {"固定办公场所少于200平方米": True}, "1.2": {"注册安全工程师、安全评价师不足8名的缺额人数": 3},
        "1.3": {"缺少一项管理制度": 2}, "1.5": {"一处没有签订技术服务合同": 5},
        "2.1": {"一次人员不到现场": 2}, "2.2": {"报告格式不符合要求": True},
        "3.1": [{}, {"一人无证上岗": 2}], "3.3": [{"安全隐患排查治理台帐记录不规范": True},
                                           {"发现10条及以上安全隐患未提出整改意见": True}],
        "4.1": [80, 90, 70], "5.1": forms})
    result = score_sheet(LINYI, inputs, bonus=[(2, "市应急管理局通报表扬")])
    assert [p.score for p in result.parts] == [9, 13, 24, 16, 9]
    assert (result.base, result.bonus, result.final, result.grade_hint) == (71, 2, 73, "一般")
    assert result.decision_input() == {"final_score": 73.0, "vetoed": False}


def test_linyi_bonus_cap_and_total_cap():
    """[LY22] 三(六)1 累计加分不超过10分; domain.md §8 final = min(100, base + bonus): 95 + 10 → 100."""
    result = score_sheet(LINYI, _linyi_inputs(**{"4.1": [75, 75]}), bonus=[(6, "业务创新"), (6, "部门认可")])
    assert (result.base, result.bonus, result.final, result.grade_hint) == (95, 10, 100, "优秀")
    with pytest.raises(ValueError, match="理由"):
        score_sheet(LINYI, _linyi_inputs(), bonus=[(1, "")])
    with pytest.raises(ValueError, match="没有加分项"):
        score_sheet(JIAXING, {"3.1": [10]}, bonus=[(1, "x")])


def test_linyi_veto_needs_evidence_and_gives_poor():
    """[LY22] 三(六)2(3) 出具虚假报告 → 直接作为差等级评定 whatever the score; evidence is required."""
    result = score_sheet(LINYI, _linyi_inputs(), vetoes=[("V3", "某县局2022年5月查处虚假报告决定书")])
    assert (result.final, result.vetoed, result.grade_hint) == (100, True, "差")
    with pytest.raises(ValueError, match="须附证据"):
        score_sheet(LINYI, _linyi_inputs(), vetoes=[("V3", " ")])
    with pytest.raises(ValueError, match="没有一票否决项"):
        score_sheet(LINYI, _linyi_inputs(), vetoes=[("V9", "x")])


@cache
def _decision_spec(decision_id: str):
    bpmn = f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" id="D" targetNamespace="http://anfu.example/t">
  <bpmn:process id="grade_probe" isExecutable="true">
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:businessRuleTask id="decide"><bpmn:extensionElements>
      <spiffworkflow:calledDecisionId>{decision_id}</spiffworkflow:calledDecisionId></bpmn:extensionElements>
      <bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing></bpmn:businessRuleTask>
    <bpmn:endEvent id="end"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="decide" />
    <bpmn:sequenceFlow id="f2" sourceRef="decide" targetRef="end" />
  </bpmn:process>
</bpmn:definitions>"""
    parser = SpiffBpmnParser(validator=VALIDATOR)
    parser.add_bpmn_str(bpmn.encode())
    parser.add_dmn_file(str(ROOT / "bpmn" / f"{decision_id}.dmn"))
    return parser.get_spec("grade_probe")


def _decide(decision_id: str, **data) -> dict:
    workflow = BpmnWorkflow(_decision_spec(decision_id))
    workflow.get_tasks(state=TaskState.READY)[0].data.update(data)
    workflow.do_engine_steps()
    assert workflow.is_completed()
    return workflow.data


@pytest.mark.parametrize("score, grade", [(69.99, "差"), (70, "一般"), (79.99, "一般"), (80, "良好"),
                                          (89.99, "良好"), (90, "优秀"), (100, "优秀"), (0, "差")])
def test_linyi_band_edges_through_dmn(score, grade):
    """[LY22] 三: 90（含）优秀, 80（含）良好, 70（含）一般, 70 分以下差 — via the DMN run by SpiffWorkflow."""
    data = _decide("linyi_grade", final_score=score, vetoed=False)
    assert data["grade"] == grade == band_for(LINYI, score).name
    assert data["grade_basis"].startswith("[LY22] 三")


def test_linyi_veto_first_in_dmn():
    """[LY22] 三(六)2: the veto row comes first, so a vetoed 95 is 差."""
    data = _decide("linyi_grade", final_score=95, vetoed=True)
    assert (data["grade"], data["grade_basis"]) == ("差", "[LY22] 三(六)2 一票否决，直接作为差等级评定")


@pytest.mark.parametrize("score, star", [(59.99, "不予评星"), (60, "二星级"), (79.99, "三星级"),
                                         (80, "四星级"), (89.99, "四星级"), (90, "五星级")])
def test_jiaxing_default_stars_through_dmn(score, star):
    """domain.md §P7 GAP: default star bands, matching the sheet and labelled 默认值，非标准规定."""
    data = _decide("jiaxing_star", final_score=score)
    assert data["star"] == star == band_for(JIAXING, score).name
    assert data["star_from_standard"] is False and "默认值，非标准规定" in data["star_note"]


def test_panel_mean_and_disagreement():
    """Expert panel: mean of experts; disagreement when max − min exceeds 20% of the item max (default)."""
    assert panel_item_score([8, 9, 10], item_max=10) == (9.0, False)  # spread 2 = 20%: not more
    assert panel_item_score([7, 9.5], item_max=10) == (8.25, True)
    assert panel_item_score([1, 2, 2], item_max=4) == (1.67, True)
    assert panel_item_score([7, 9.5], "consensus", 9, item_max=10) == (9.0, True)
    with pytest.raises(ValueError):
        panel_item_score([7, 9.5], "consensus", item_max=10)


def test_staff_exam_draw_and_conversion():
    """[LY22] 附件1 第19项: ≥50% of staff drawn (5 → 3), same seed same draw; 百分制换算后取平均分."""
    staff = ["s1", "s2", "s3", "s4", "s5"]
    drawn = draw_staff_sample(staff, seed=20220425)
    assert len(drawn) == 3 and set(drawn) <= set(staff) and len(set(drawn)) == 3
    assert draw_staff_sample(list(reversed(staff)), seed=20220425) == drawn
    assert len(draw_staff_sample(staff[:4], seed=1)) == 2 and len(draw_staff_sample(["s1"], seed=1)) == 1
    assert exam_part_score([80, 90, 70]) == 16.0
    assert exam_part_score([85, 90, 77]) == 16.8
    assert failed_staff({"s1": 59.5, "s2": 60, "s3": 45}) == ["s1", "s3"]
    exam = {"scores": [80, 90, 70], "staff_total": 5}
    assert score_sheet(LINYI, _linyi_inputs(**{"4.1": exam})).parts[3].score == 16.0
    with pytest.raises(ValueError, match="少于专业技术人员5人的50%"):
        score_sheet(LINYI, _linyi_inputs(**{"4.1": {"scores": [80, 90], "staff_total": 5}}))
    with pytest.raises(ValueError):
        exam_part_score([101])


def test_satisfaction_forms_averaged():
    """[LY22] 附件4 评议表 5 items × 2 points; 三(五) 取平均值: forms 10, 8 and 7.5 → 8.5."""
    full = dict.fromkeys(["合规执业", "服务质量", "规范收费", "职业道德", "公平竞争"], 2)
    forms = [full, {**full, "服务质量": 1, "公平竞争": 1}, {**full, "合规执业": 0.5, "规范收费": 1}]
    assert satisfaction_score(forms) == 8.5
    with pytest.raises(ValueError, match="逐项评分"):
        satisfaction_score([{"合规执业": 2}])


def test_schema_errors_are_listed():
    """A sheet whose maxima do not add up, or a rule without source or with an unknown type, is refused."""
    raw = copy.deepcopy(LINYI.raw)
    raw["parts"][0]["max"] = 21
    raw["items"][2]["rules"][0]["type"] = "fixd"
    del raw["items"][3]["rules"][0]["source"]
    with pytest.raises(SheetError) as err:
        parse_sheet(raw, "broken")
    text = "；".join(err.value.problems)
    assert "各部分满分之和 101 不等于总分 100" in text and "所含项目满分之和 20 不等于该部分满分 21" in text
    assert "未知的规则类型 'fixd'" in text and "items[3] (1.4) rules[0]: 缺少 `source`" in text


def test_findings_are_checked():
    """Unknown findings and wrong value kinds are refused instead of silently scoring full marks."""
    with pytest.raises(ValueError, match="没有这些发现"):
        score_item(LINYI.item("1.3"), {"缺少一项制度": 1})
    with pytest.raises(ValueError, match="非负整数"):
        score_item(LINYI.item("1.3"), {"缺少一项管理制度": True})
    with pytest.raises(ValueError, match="至少需要一家"):
        score_sheet(LINYI, _linyi_inputs(**{"3.1": []}))
