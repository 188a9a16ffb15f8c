"""The restricted engine in real workflows: escapes are refused before running, normal scripting works."""
import ast
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from xml.sax.saxutils import escape

import pytest
from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG
from SpiffWorkflow.util.task import TaskState

from workflows.script_engine import SandboxViolation, TaskDataError, make_script_engine, restricted_globals
from workflows.validation import parse_spec

FIXTURES = Path(__file__).parent / "fixtures" / "bpmn"
HEAD = ('<?xml version="1.0" encoding="UTF-8"?>\n<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"'
        ' xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" id="Defs" '
        'targetNamespace="http://anfu.example/test"><bpmn:process id="sandbox" isExecutable="true">'
        '<bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>')
TAIL = '</bpmn:process></bpmn:definitions>'


def _linear(node: str) -> str:
    """start → node (id "step") → end."""
    return (HEAD + node + '<bpmn:endEvent id="end"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>'
            '<bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="step" />'
            '<bpmn:sequenceFlow id="f2" sourceRef="step" targetRef="end" />' + TAIL)


def script_diagram(script: str) -> str:
    """A diagram whose only task is a script task running `script`."""
    return _linear('<bpmn:scriptTask id="step"><bpmn:incoming>f1</bpmn:incoming>'
                   f'<bpmn:outgoing>f2</bpmn:outgoing><bpmn:script>{escape(script)}</bpmn:script></bpmn:scriptTask>')


def gateway_diagram(condition: str) -> str:
    """start → exclusive gateway "step" → yes (when condition) / no (default)."""
    return (HEAD + '<bpmn:exclusiveGateway id="step" default="f_no"><bpmn:incoming>f1</bpmn:incoming>'
            '<bpmn:outgoing>f_yes</bpmn:outgoing><bpmn:outgoing>f_no</bpmn:outgoing></bpmn:exclusiveGateway>'
            '<bpmn:endEvent id="yes"><bpmn:incoming>f_yes</bpmn:incoming></bpmn:endEvent>'
            '<bpmn:endEvent id="no"><bpmn:incoming>f_no</bpmn:incoming></bpmn:endEvent>'
            '<bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="step" />'
            f'<bpmn:sequenceFlow id="f_yes" sourceRef="step" targetRef="yes"><bpmn:conditionExpression>'
            f'{escape(condition)}</bpmn:conditionExpression></bpmn:sequenceFlow>'
            '<bpmn:sequenceFlow id="f_no" sourceRef="step" targetRef="no" />' + TAIL)


def start(xml: str, data: dict | None = None, dispatcher=None, dmn: dict | None = None) -> BpmnWorkflow:
    """A workflow of the diagram on the restricted engine, with initial data, not yet run."""
    spec, subs = parse_spec(xml.encode(), dmn or {}, "sandbox")
    wf = BpmnWorkflow(spec, subs, script_engine=make_script_engine(dispatcher))
    for task in wf.get_tasks(state=TaskState.READY):
        task.data.update(data or {})
    return wf


def state_of(wf: BpmnWorkflow, bpmn_id: str) -> int:
    """The state of the (single) task of a BPMN element."""
    (task,) = [t for t in wf.get_tasks() if t.task_spec.bpmn_id == bpmn_id]
    return task.state


# Each entry would read files, run commands or reach interpreter internals if it were executed.
ESCAPES = {
    "import_os_system": "__import__('os').system('touch CANARY')",
    "subclasses_walk_to_importer": "[c for c in ().__class__.__base__.__subclasses__() if c.__name__ == "
                                   "'BuiltinImporter'][0].load_module('os').system('touch CANARY')",
    "getattr_dunder": "getattr(getattr((), '__class__'), '__base__')",
    "type_builtin": "type('Evil', (), {})",
    "globals_builtins": "globals()['__builtins__']['__import__']('os').system('touch CANARY')",
    "vars_builtins": "vars()['__builtins__']",
    "open_write": "open('CANARY', 'w').write('pwned')",
    "eval_string": "eval(\"__import__('os').system('touch CANARY')\")",
    "exec_string": "exec(\"import os; os.system('touch CANARY')\")",
    "compile_code": "compile('1', 'x', 'eval')",
    "format_attribute_walk": "'{0.__class__.__base__}'.format(1)",
    "format_on_data_string": "text.format(iso_date)",
    "format_map_attribute_walk": "'{x.__class__}'.format_map({'x': 1})",
    "unbound_str_format": "str.format('{0.__class__}', 1)",
    "generator_frame_walk": "(x for x in [1]).gi_frame.f_back.f_globals",
    "lambda_default_argument": "(lambda f=().__class__.__base__: f.__subclasses__())()",
    "helper_function_globals": "iso_date.__globals__['__builtins__']['__import__']('os')"
                               ".system('touch CANARY')",
    "mro_walk": "int.mro()[1]",
    "fullwidth_unicode_eval": "\uff45\uff56\uff41\uff4c(\"__import__('os').system('touch CANARY')\")",
    "restricted_guard_by_name": "_getattr_((), '__class__')",
    "breakpoint": "breakpoint()",
    "dir_introspection": "dir()",
    "setattr_on_helper": "setattr(iso_date, 'x', 1)",
    "traceback_frame_walk": "try:\n    1 / 0\nexcept Exception as e:\n"
                            "    g = e.__traceback__.tb_frame.f_globals",
    "class_definition": "class Evil:\n    pass",
    "import_statement": "import os\nos.system('touch CANARY')",
}
EXPRESSION_ESCAPES = {k: v for k, v in ESCAPES.items() if not v.startswith(("try", "class", "import"))}
DATA = {"text": "{0.__globals__[__builtins__]}", "scores": [1, 2]}


@pytest.mark.parametrize("code", list(ESCAPES.values()), ids=list(ESCAPES))
def test_escape_in_script_task_is_refused_without_side_effect_and_task_errors(code, tmp_path):
    canary = tmp_path / "canary"
    wf = start(script_diagram(code.replace("CANARY", str(canary))), DATA)
    with pytest.raises(WorkflowTaskException) as caught:
        wf.do_engine_steps()
    assert isinstance(caught.value.__cause__, SandboxViolation), caught.value
    assert "安全沙箱" in str(caught.value)
    assert not canary.exists()
    assert state_of(wf, "step") == TaskState.ERROR


@pytest.mark.parametrize("code", list(EXPRESSION_ESCAPES.values()), ids=list(EXPRESSION_ESCAPES))
def test_escape_in_gateway_condition_is_refused_without_side_effect_and_gateway_errors(code, tmp_path):
    canary = tmp_path / "canary"
    ast.parse(code, mode="eval")
    wf = start(gateway_diagram(code.replace("CANARY", str(canary))), DATA)
    with pytest.raises(WorkflowTaskException) as caught:
        wf.do_engine_steps()
    assert isinstance(caught.value.__cause__, SandboxViolation), caught.value
    assert not canary.exists()
    assert state_of(wf, "step") == TaskState.ERROR


@pytest.mark.parametrize("name", ["format", "format_map", "gi_frame", "f_globals", "mro", "__class__"])
def test_runtime_attribute_guard_refuses_sandbox_attributes_even_without_the_lint(name):
    with pytest.raises(SandboxViolation):
        restricted_globals()["_getattr_"]("{0}", name)


def test_restricted_globals_expose_no_module_and_no_dangerous_builtin():
    env = restricted_globals()
    builtins = env["__builtins__"]
    assert not [k for k, v in env.items() if type(v).__name__ == "module"]
    for name in ("__import__", "open", "eval", "exec", "compile", "getattr", "setattr", "type", "globals",
                 "vars", "__build_class__", "datetime"):
        assert name not in builtins and name not in env


def test_loops_augmented_assignment_comprehensions_and_builtins_work_in_a_script_task():
    script = ("total = 0\nfor i, (name, score) in enumerate(pairs):\n    total += score * (i + 1)\n"
              "names = sorted([n.upper() for n, _ in pairs])\nbest = max(s for _, s in pairs)\n"
              "lookup = {n: s for n, s in pairs}\nlookup['extra'] = sum([1, 2, 3])\n"
              "flags = (any(s > 90 for _, s in pairs), all(s > 10 for _, s in pairs))\n"
              "spread = abs(min(lookup.values()) - best)\nmean = round(total / len(pairs), 2)\n"
              "day = iso_date('2026-03-01T09:30:00+08:00')\nwords = ' '.join(str(x) for x in range(3))")
    wf = start(script_diagram(script), {"pairs": [["a", 80], ["b", 95]]})
    wf.do_engine_steps()
    assert wf.is_completed()
    data = wf.data
    assert data["total"] == 270 and data["names"] == ["A", "B"] and data["best"] == 95
    assert data["lookup"] == {"a": 80, "b": 95, "extra": 6} and data["flags"] == [True, True]
    assert data["spread"] == 89 and data["mean"] == 135.0 and data["day"] == "2026-03-01"
    assert data["words"] == "0 1 2"


@pytest.mark.parametrize(("scores", "end"), [([95, 80], "yes"), ([10, 20], "no")])
def test_gateway_condition_with_builtins_chooses_the_branch(scores, end):
    wf = start(gateway_diagram("max(scores) >= 90 and len(scores) == 2"), {"scores": scores})
    wf.do_engine_steps()
    assert wf.is_completed() and state_of(wf, end) == TaskState.COMPLETED


def test_script_leaves_only_json_native_values_in_task_data():
    script = ("def helper(x):\n    return x * 2\ndouble = lambda x: x * 2\nn = helper(2)\n"
              "pair = (1, (2, 3))\ntags = {'b', 'a'}")
    wf = start(script_diagram(script))
    wf.do_engine_steps()
    assert wf.data == {"n": 4, "pair": [1, [2, 3]], "tags": ["a", "b"]}
    serializer = BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(SPIFF_CONFIG))
    assert serializer.deserialize_json(serializer.serialize_json(wf)).data == wf.data


@pytest.mark.parametrize("script", ["r = range(3)", "d = {1: 'one'}", "b = b'raw'"])
def test_non_json_value_left_by_a_script_fails_clearly(script):
    wf = start(script_diagram(script))
    with pytest.raises(WorkflowTaskException) as caught:
        wf.do_engine_steps()
    assert isinstance(caught.value.__cause__, TaskDataError)
    assert state_of(wf, "step") == TaskState.ERROR


@pytest.mark.parametrize("exit_class", ["SystemExit", "KeyboardInterrupt", "BaseException", "GeneratorExit"])
def test_script_cannot_raise_exceptions_that_bypass_error_handling(exit_class):
    wf = start(script_diagram(f"raise {exit_class}()"))
    with pytest.raises(WorkflowTaskException) as caught:
        wf.do_engine_steps()
    assert isinstance(caught.value.__cause__, NameError)
    assert state_of(wf, "step") == TaskState.ERROR


def test_runtime_error_in_a_script_names_the_line():
    wf = start(script_diagram("a = 1\nb = lookup[1]"), {"lookup": {}})
    with pytest.raises(WorkflowTaskException) as caught:
        wf.do_engine_steps()
    assert isinstance(caught.value.__cause__, KeyError)
    assert caught.value.line_number == 2 and caught.value.error_line == "b = lookup[1]"


def test_typo_in_a_script_is_a_syntax_error_not_a_sandbox_violation():
    wf = start(script_diagram("x = = 1"))
    with pytest.raises(WorkflowTaskException) as caught:
        wf.do_engine_steps()
    assert isinstance(caught.value.__cause__, SyntaxError)


def _timer_diagram(kind: str, expression: str) -> str:
    return _linear(f'<bpmn:intermediateCatchEvent id="step"><bpmn:incoming>f1</bpmn:incoming>'
                   f'<bpmn:outgoing>f2</bpmn:outgoing><bpmn:timerEventDefinition id="timer">'
                   f'<bpmn:{kind}>{escape(expression)}</bpmn:{kind}></bpmn:timerEventDefinition>'
                   '</bpmn:intermediateCatchEvent>')


def test_fstring_timer_duration_is_evaluated_by_the_restricted_engine():
    wf = start(_timer_diagram("timeDuration", '\n      f"PT{wait_hours}H"\n    '), {"wait_hours": 5})
    wf.do_engine_steps()
    (timer,) = wf.get_tasks(state=TaskState.WAITING)
    due = datetime.fromisoformat(timer.internal_data["event_value"])
    assert abs(due - datetime.now(UTC) - timedelta(hours=5)) < timedelta(minutes=1)


def test_timer_date_from_a_variable_keeps_the_absolute_deadline():
    deadline = {"due_at": "2030-01-08T17:00:00+08:00"}
    wf = start(_timer_diagram("timeDate", 'deadline["due_at"]'), {"deadline": deadline})
    wf.do_engine_steps()
    (timer,) = wf.get_tasks(state=TaskState.WAITING)
    assert datetime.fromisoformat(timer.internal_data["event_value"]) == datetime(2030, 1, 8, 9, tzinfo=UTC)


@pytest.mark.parametrize(("score", "grade"), [(95, "A"), (85, "B"), (65, "C"), (10, "D")])
def test_dmn_decision_table_evaluates_under_the_restricted_engine(score, grade):
    task = ('<bpmn:businessRuleTask id="step"><bpmn:extensionElements><spiffworkflow:calledDecisionId>'
            'grade_decision</spiffworkflow:calledDecisionId></bpmn:extensionElements>'
            '<bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing></bpmn:businessRuleTask>')
    wf = start(_linear(task), {"score": score}, dmn={"grade": (FIXTURES / "grade.dmn").read_bytes()})
    wf.do_engine_steps()
    assert wf.is_completed() and wf.data["grade"] == grade


def _service_diagram() -> str:
    return _linear('<bpmn:serviceTask id="step"><bpmn:extensionElements><spiffworkflow:serviceTaskOperator '
                   'id="count_items" resultVariable="counted"><spiffworkflow:parameters>'
                   '<spiffworkflow:parameter id="count" type="int" value="len(items)" />'
                   '<spiffworkflow:parameter id="label" type="str" value="\'清单\'" />'
                   '</spiffworkflow:parameters></spiffworkflow:serviceTaskOperator></bpmn:extensionElements>'
                   '<bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing></bpmn:serviceTask>')


def test_service_task_gets_evaluated_parameters_and_stores_the_dict_result():
    calls = []

    def dispatcher(task, operation_name, operation_params):
        calls.append((operation_name, operation_params, dict(task.data)))
        return {"total": operation_params["count"]["value"], "名称": "已登记"}

    wf = start(_service_diagram(), {"items": [1, 2, 3]}, dispatcher=dispatcher)
    wf.do_engine_steps()
    params = {"count": {"value": 3, "type": "int"}, "label": {"value": "清单", "type": "str"}}
    assert calls == [("count_items", params, {"items": [1, 2, 3]})]
    assert wf.data["counted"] == {"total": 3, "名称": "已登记"}
    json.dumps(wf.data)


def test_service_error_surfaces_with_its_cause_instead_of_spiffs_name_error():
    def dispatcher(task, operation_name, operation_params):
        raise ValueError("registry offline")

    wf = start(_service_diagram(), {"items": []}, dispatcher=dispatcher)
    with pytest.raises(WorkflowTaskException) as caught:
        wf.do_engine_steps()
    assert isinstance(caught.value.__cause__, ValueError)
    assert "count_items" in str(caught.value) and "registry offline" in str(caught.value)
    assert state_of(wf, "step") == TaskState.ERROR


@pytest.mark.parametrize("result", [None, ["not", "a", "dict"]])
def test_service_without_dispatcher_or_with_non_dict_result_fails_clearly(result):
    dispatcher = None if result is None else (lambda task, name, params: result)
    wf = start(_service_diagram(), {"items": []}, dispatcher=dispatcher)
    with pytest.raises(WorkflowTaskException) as caught:
        wf.do_engine_steps()
    assert "count_items" in str(caught.value)
    assert state_of(wf, "step") == TaskState.ERROR
