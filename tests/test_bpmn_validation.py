"""Deploy-time validation: every broken or hostile fixture is refused, on the element it concerns."""
import time
from pathlib import Path

import pytest
from lxml import etree

from workflows.expression_lint import lint_expression
from workflows.validation import Problem, UnsafeXml, parse_spec, safe_xml, validate_bpmn

FIXTURES = Path(__file__).parent / "fixtures" / "bpmn"
PLATFORM = {"roles": {"agency", "expert"}, "forms": {"self_assessment", "expert_review"},
            "services": {"notify_agency"}, "messages": {"objection_received"}}


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def problems_of(name: str, dmn: str = "grade.dmn", **overrides) -> list[Problem]:
    """validate_bpmn on a fixture with the test platform's roles, forms, services, messages and DMN."""
    kwargs = dict(PLATFORM, dmn_files={"grade": fixture(dmn)}, process_id="inspection")
    kwargs.update(overrides)
    return validate_bpmn(fixture(name), **kwargs)


def assert_reported(problems: list[Problem], element_id: str | None, *words: str) -> None:
    hits = [p for p in problems if p.element_id == element_id and all(w in p.message for w in words)]
    assert hits, f"no problem on {element_id!r} mentioning {words}: {problems}"


def test_valid_diagram_has_no_problems():
    assert problems_of("valid.bpmn") == []


def test_valid_diagram_parses_into_a_spec_through_the_safe_path():
    spec, subprocess_specs = parse_spec(fixture("valid.bpmn"), {"grade": fixture("grade.dmn")}, "inspection")
    assert spec.name == "inspection" and subprocess_specs == {}
    assert spec.task_specs["expert_review"].lane == "expert"


def test_nested_lanes_need_role_names_only_where_spiff_uses_them():
    assert problems_of("nested_lanes.bpmn") == []
    listed_in_child = b"            <bpmn:flowNodeRef>expert_review</bpmn:flowNodeRef>\n"
    xml = fixture("nested_lanes.bpmn").replace(listed_in_child, b"")  # now only the parent lane lists it
    problems = validate_bpmn(xml, **PLATFORM, dmn_files={"grade": fixture("grade.dmn")})
    assert [p.element_id for p in problems] == ["Lane_city"]


def test_problem_is_a_frozen_value():
    problem = Problem("x", "消息")
    with pytest.raises(AttributeError):
        problem.message = "改"  # type: ignore[misc]


@pytest.mark.parametrize("name", ["xxe.bpmn", "billion_laughs.bpmn"])
def test_entity_attacks_are_refused_before_parsing_and_never_expanded(name):
    started = time.perf_counter()
    problems = problems_of(name)
    assert time.perf_counter() - started < 1
    assert problems == [Problem(None, problems[0].message)] and "DOCTYPE" in problems[0].message
    assert "root:" not in problems[0].message and "lollol" not in problems[0].message


@pytest.mark.parametrize("name", ["xxe.bpmn", "billion_laughs.bpmn"])
def test_doctype_is_refused_by_the_parser_check_even_when_the_byte_scan_cannot_see_it(name):
    utf16 = fixture(name).decode().replace('encoding="UTF-8"', 'encoding="UTF-16"').encode("utf-16")
    assert b"<!DOCTYPE" not in utf16
    started = time.perf_counter()
    with pytest.raises((UnsafeXml, etree.XMLSyntaxError)):  # libxml2 may stop billion laughs itself
        safe_xml(utf16)
    problems = validate_bpmn(utf16, **PLATFORM)
    assert time.perf_counter() - started < 1
    assert len(problems) == 1 and problems[0].element_id is None and "root:" not in problems[0].message


@pytest.mark.parametrize("name", ["xxe.bpmn", "billion_laughs.bpmn"])
def test_engine_parse_path_refuses_entity_attacks(name):
    with pytest.raises(UnsafeXml):
        parse_spec(fixture(name), {}, "inspection")


def test_entity_attack_in_a_dmn_file_is_refused():
    problems = problems_of("valid.bpmn", dmn="xxe.dmn")
    assert_reported(problems, None, "决策表文件“grade”", "DOCTYPE")
    assert not any("root:" in p.message for p in problems)
    with pytest.raises(UnsafeXml):
        parse_spec(fixture("valid.bpmn"), {"grade": fixture("xxe.dmn")}, "inspection")


def test_malformed_xml_is_reported_on_the_diagram():
    problems = problems_of("malformed.bpmn")
    assert len(problems) == 1
    assert_reported(problems, None, "不是合法的 XML")


def test_no_executable_process_is_reported_on_the_diagram():
    assert_reported(problems_of("not_executable.bpmn", process_id=None), None, "没有可执行的流程")


def test_unknown_process_id_is_reported_on_the_diagram():
    assert_reported(problems_of("valid.bpmn", process_id="registration"), None, "registration")


def test_validation_without_a_message_registry_skips_the_message_check():
    assert problems_of("unknown_message.bpmn", messages=None) == []


CORPUS = [
    pytest.param("xsd_missing_parameters.bpmn", "notify_task", ["BPMN 2.0", "parameters"],
                 id="xsd_failure_reported_on_the_enclosing_task"),
    pytest.param("unsupported_element.bpmn", "merge", ["流程引擎无法解析"],
                 id="spiff_parser_error_for_unsupported_element_reported_on_it"),
    pytest.param("not_executable.bpmn", "inspection", ["isExecutable"],
                 id="named_process_not_executable"),
    pytest.param("missing_start.bpmn", "inspection", ["缺少开始事件"],
                 id="missing_start_event_on_the_process"),
    pytest.param("missing_end.bpmn", "inspection", ["缺少结束事件"],
                 id="missing_end_event_on_the_process"),
    pytest.param("no_incoming.bpmn", "orphan", ["没有连入"], id="node_without_incoming_flow"),
    pytest.param("no_outgoing.bpmn", "orphan", ["没有连出"], id="node_without_outgoing_flow"),
    pytest.param("gateway_missing_condition.bpmn", "flow_ok", ["grade_gateway", "既没有条件"],
                 id="gateway_flow_without_condition_or_default_on_the_flow"),
    pytest.param("task_outside_lane.bpmn", "expert_review", ["不在任何泳道"],
                 id="user_task_outside_any_lane"),
    pytest.param("unknown_role.bpmn", "Lane_expert", ["专家组", "不是平台角色"], id="lane_name_not_a_role"),
    pytest.param("missing_form_key.bpmn", "expert_review", ["formKey"],
                 id="user_task_without_form_key"),
    pytest.param("unknown_form.bpmn", "self_assessment", ["self_assessment_v9", "未在平台注册"],
                 id="user_task_with_unregistered_form"),
    pytest.param("unknown_service.bpmn", "notify_task", ["send_sms", "未在平台注册"],
                 id="service_task_with_unregistered_service"),
    pytest.param("unknown_message.bpmn", "Message_objection", ["objection_recieved"],
                 id="message_the_platform_cannot_deliver"),
    pytest.param("timer_unquoted.bpmn", "notice_period", ["P7D", "加引号"],
                 id="unquoted_iso_timer_is_python"),
    pytest.param("timer_bad_literal.bpmn", "notice_period", ["P7X", "ISO 8601"],
                 id="invalid_iso_timer_literal"),
    pytest.param("timer_hostile.bpmn", "notice_period", ["不允许执行", "__import__"],
                 id="hostile_timer_expression"),
    pytest.param("hostile_script.bpmn", "compute_score", ["第 5 行", "__class__"],
                 id="hostile_script_task_body"),
    pytest.param("hostile_postscript.bpmn", "expert_review", ["后置脚本", "open"],
                 id="hostile_post_script"),
    pytest.param("hostile_condition.bpmn", "flow_low", ["条件", "getattr"],
                 id="hostile_gateway_condition"),
    pytest.param("hostile_service_parameter.bpmn", "notify_task", ["参数“days”", "eval"],
                 id="hostile_service_parameter_expression"),
    pytest.param("unknown_decision.bpmn", "grade_rule", ["grade_decisoin", "不存在"],
                 id="business_rule_task_calling_a_missing_decision"),
    pytest.param("duplicate_id.bpmn", "notify_agency", ["被多个元素同时使用"],
                 id="task_sharing_its_id_with_its_service_operator"),
]


@pytest.mark.parametrize(("name", "element_id", "words"), CORPUS)
def test_broken_diagram_is_reported_on_the_element_it_concerns(name, element_id, words):
    assert_reported(problems_of(name), element_id, *words)


@pytest.mark.parametrize(("dmn", "element_id", "words"), [
    pytest.param("hostile_output.dmn", "out_a", ["第 1 条规则的输出", "__import__"],
                 id="hostile_output_entry"),
    pytest.param("hostile_input.dmn", "entry_c", ["第 3 条规则的输入条件", "__class__"],
                 id="hostile_input_entry"),
])
def test_hostile_dmn_entry_is_reported_on_the_entry(dmn, element_id, words):
    problems = problems_of("valid.bpmn", dmn=dmn)
    assert_reported(problems, element_id, *words)
    assert all(p.element_id == element_id for p in problems)


def test_every_problem_message_names_its_element_by_id():
    for param in CORPUS:
        name = param.values[0]
        for problem in problems_of(name):
            if problem.element_id:
                assert problem.element_id in problem.message, problem


@pytest.mark.parametrize(("source", "mode"), [
    ("total = 0\nfor x in xs:\n    total += x\nys = [y * 2 for y in xs if y]", "exec"),
    ('f"P{days}D"', "eval"),
    ("max(scores) >= 90 and len(scores) == 2", "eval"),
    ("for _ in range(3):\n    pass", "exec"),
])
def test_lint_accepts_ordinary_scripting(source, mode):
    assert lint_expression(source, mode) == []


@pytest.mark.parametrize(("source", "mode", "word"), [
    ("import os", "exec", "import"),
    ("from os import system", "exec", "import"),
    ("x.__class__", "eval", "__class__"),
    ("_secret", "eval", "_secret"),
    ("open('/etc/passwd')", "eval", "open"),
    ("type(1)", "eval", "type"),
    ("'{}'.format(1)", "eval", "f-string"),
    ("(x for x in y).gi_frame", "eval", "gi_frame"),
    ("class A:\n    pass", "exec", "类"),
    ("x = = 1", "exec", "语法错误"),
    ("a = 1", "eval", "语法错误"),
])
def test_lint_rejects_sandbox_escapes_and_says_why(source, mode, word):
    problems = lint_expression(source, mode)
    assert problems and any(word in p for p in problems), problems


def test_safe_xml_parses_plain_bpmn_without_network_or_dtd():
    root = safe_xml(fixture("valid.bpmn"))
    assert etree.QName(root).localname == "definitions"
