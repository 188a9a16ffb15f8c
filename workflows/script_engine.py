"""The restricted script engine: every condition, timer, DMN entry and script runs under RestrictedPython.

Each source is first linted (`expression_lint.lint_expression`: no `_` names or attributes, no import, no
exec/eval/open/getattr/type/…, no frame or `format` attributes) and then compiled with
`compile_restricted_eval` / `compile_restricted_exec`; anything refused raises `SandboxViolation` before a
single byte of it runs, wrapped by Spiff in a `WorkflowTaskException` that leaves the task in ERROR. The
globals hold only the guards, a reduced set of builtins and `iso_date`; no module is reachable.

After a script, callables, modules and classes are dropped from the task data, tuples and sets become lists
(what a save/load round-trip would make of them) and anything else that is not JSON raises `TaskDataError`.

Service tasks (the only way a diagram reaches the platform) follow Spiff's `serviceTaskOperator`::

    <bpmn:serviceTask id="register_task" name="登记建档并列入名录">
      <bpmn:extensionElements>
        <spiffworkflow:serviceTaskOperator id="register_agency" resultVariable="registration">
          <spiffworkflow:parameters>
            <spiffworkflow:parameter id="working_days" type="int" value="10" />
            <spiffworkflow:parameter id="unit" type="str" value="applicant[&quot;unit_code&quot;]" />
          </spiffworkflow:parameters>
        </spiffworkflow:serviceTaskOperator>
      </bpmn:extensionElements>
    </bpmn:serviceTask>

Every parameter `value` is a Python *expression*: Spiff (`spiff/specs/mixins/service_task.py`,
`evaluate_params`) evaluates each one with this engine *before* `call_service` is called (so a literal string
needs quotes: `value="'abc'"`, and `type` is only a label). `call_service` therefore receives
`operation_params = {"working_days": {"value": 10, "type": "int"}, "unit": {"value": "…", "type": "str"}}`,
hands `(task, operation_name, operation_params)` to the dispatcher, which returns a dict, and returns it as
JSON; Spiff json-loads it into `task.data[resultVariable]` (default `spiff__<task id>_result`). The operator
id is the service name; it and every parameter id must differ from all element ids: Spiff indexes every
element carrying an `id`, so a task sharing one with its operator makes the parser pick the operator.
`spiffworkflow:parameters` must be present (empty if there are none) or Spiff's XSD refuses the diagram.
"""
import ast
import json
import operator
from collections.abc import Callable
from datetime import date, datetime
from functools import lru_cache
from types import ModuleType
from typing import Any

from RestrictedPython import compile_restricted_eval, compile_restricted_exec, safe_builtins
from RestrictedPython.Eval import default_guarded_getitem
from RestrictedPython.Guards import (
    full_write_guard,
    guarded_iter_unpack_sequence,
    guarded_unpack_sequence,
    raise_,
    safer_getattr,
)
from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine, TaskDataEnvironment
from SpiffWorkflow.exceptions import SpiffWorkflowException

from .expression_lint import FORBIDDEN_ATTRIBUTES, lint_expression
from .script_limits import (
    INPLACE_CHECKS,
    LIMIT_BUILTINS,
    LIMIT_GLOBALS,
    ScriptLimitExceeded,
    guard_method,
    limited,
)
from .script_policy import LimitedTransformer

ServiceDispatcher = Callable[[Any, str, dict], dict]


class SandboxViolation(Exception):
    """Code from a diagram tried something the sandbox forbids; it was refused, not executed."""


class TaskDataError(TypeError):
    """A script left a value in the task data that cannot be stored as JSON."""


def iso_date(value: str) -> str:
    """The calendar date (YYYY-MM-DD) of an ISO date or datetime string."""
    if not isinstance(value, str):
        raise TypeError("iso_date 需要 ISO 日期字符串")
    try:
        return date.fromisoformat(value).isoformat()
    except ValueError:
        return datetime.fromisoformat(value).date().isoformat()


_INPLACE = {"+=": operator.iadd, "-=": operator.isub, "*=": operator.imul, "/=": operator.itruediv,
            "//=": operator.ifloordiv, "%=": operator.imod, "**=": operator.ipow, "<<=": operator.ilshift,
            ">>=": operator.irshift, "&=": operator.iand, "|=": operator.ior, "^=": operator.ixor,
            "@=": operator.imatmul}
_EXTRA_BUILTINS = (sum, min, max, len, sorted, list, dict, set, tuple, enumerate, round, abs, any, all, zip,
                   range, str, int, float, bool)
# No classes, no attribute writes, and nothing that slips past `except Exception` (worker-killing exits).
_REMOVED_BUILTINS = ("__build_class__", "setattr", "delattr", "_getattr_", "BaseException", "SystemExit",
                     "KeyboardInterrupt", "GeneratorExit")
_RAISE = raise_  # missing attributes raise AttributeError, as in plain Python


def _inplacevar(op: str, x, y):
    """`x op= y` for the augmented assignments RestrictedPython rewrites."""
    if op not in _INPLACE:
        raise SandboxViolation(f"不支持的复合赋值 {op}")
    if op in INPLACE_CHECKS:
        INPLACE_CHECKS[op](x, y)
    return _INPLACE[op](x, y)


def _getattr(obj, name: str, default=_RAISE):
    """Attribute access for restricted code: sandbox names refused, else RestrictedPython's safer_getattr."""
    if not isinstance(name, str) or name.startswith("_") or name in FORBIDDEN_ATTRIBUTES:
        raise SandboxViolation(f"安全沙箱拒绝访问属性“{name}”")
    return guard_method(obj, name, safer_getattr(obj, name, default))


def _apply(func, *args, **kwargs):
    """Calls with *args / **kwargs (RestrictedPython routes them through `_apply_`)."""
    return func(*args, **kwargs)


def restricted_globals() -> dict:
    """The globals every restricted evaluation starts from (guards, builtins, helpers; no modules)."""
    builtins = {k: v for k, v in safe_builtins.items() if k not in _REMOVED_BUILTINS}
    builtins.update({f.__name__: f for f in _EXTRA_BUILTINS})
    builtins.update(LIMIT_BUILTINS)
    return {
        "__builtins__": builtins,
        "_getattr_": _getattr, "_getitem_": default_guarded_getitem, "_getiter_": LIMIT_GLOBALS["_getiter_"],
        "_write_": full_write_guard, "_inplacevar_": _inplacevar, "_apply_": _apply,
        "_iter_unpack_sequence_": guarded_iter_unpack_sequence, "_unpack_sequence_": guarded_unpack_sequence,
        "iso_date": iso_date, **LIMIT_GLOBALS,
    }


@lru_cache(maxsize=4096)
def restricted_code(source: str, mode: str):
    """Lint and compile `source`; SyntaxError for typos, SandboxViolation for anything the sandbox refuses."""
    if not isinstance(source, str):
        raise SandboxViolation("脚本或表达式为空")
    ast.parse(source, mode=mode)  # a typo stays a SyntaxError (with its line number)
    problems = lint_expression(source, mode)
    if problems:
        raise SandboxViolation("安全沙箱拒绝执行：" + "；".join(problems))
    compile_ = compile_restricted_eval if mode == "eval" else compile_restricted_exec
    result = compile_(source, policy=LimitedTransformer)
    if result.errors or result.code is None:
        raise SandboxViolation("安全沙箱拒绝执行：" + "；".join(result.errors))
    return result.code


_SCALARS = (type(None), bool, int, float, str)


def _is_native(value) -> bool:
    """True when value is already JSON-native (None, bool, int, float, str, list, dict with str keys)."""
    kind = type(value)
    if kind in _SCALARS:
        return True
    if kind is list:
        return all(_is_native(v) for v in value)
    if kind is dict:
        return all(type(k) is str and _is_native(v) for k, v in value.items())
    return False


def to_json_native(value, where: str = "值"):
    """A JSON-native copy of value (tuples and sets become lists); TaskDataError for anything else."""
    if _is_native(value):
        return value
    for scalar in (bool, int, float, str):
        if isinstance(value, scalar):
            return scalar(value)
    if isinstance(value, (list, tuple)):
        return [to_json_native(v, where) for v in value]
    if isinstance(value, (set, frozenset)):
        items = [to_json_native(v, where) for v in value]
        try:
            return sorted(items)
        except TypeError:
            return items
    if isinstance(value, dict):
        bad = [k for k in value if not isinstance(k, str)]
        if bad:
            raise TaskDataError(f"{where} 的字典键必须是字符串，发现 {bad[0]!r}")
        return {str(k): to_json_native(v, where) for k, v in value.items()}
    raise TaskDataError(f"{where} 的类型 {type(value).__name__} 不能保存为 JSON")


class RestrictedEnvironment(TaskDataEnvironment):
    """Spiff environment that only ever runs restricted-compiled code."""

    def evaluate(self, expression, context, external_context=None):
        """Evaluate a restricted expression with the task data as globals; the result must be JSON-native."""
        code = restricted_code(expression.strip() if isinstance(expression, str) else expression, "eval")
        scope = dict(self.globals)
        scope.update({k: v for k, v in (external_context or {}).items() if not k.startswith("_")})
        scope.update({k: v for k, v in context.items() if not k.startswith("_")})
        scope.update({k: v for k, v in self.globals.items() if k.startswith("_")})
        with limited():
            result = eval(code, scope)
        return to_json_native(result, "表达式结果")

    def execute(self, script, context, external_context=None):
        """Run a restricted script on the task data, then scrub it back to JSON-native values."""
        code = restricted_code(script, "exec")
        self.check_for_overwrite(context, external_context or {})
        context.update(external_context or {})
        context.update(self.globals)
        try:
            with limited():
                exec(code, context)  # noqa: S102 - restricted-compiled code with guarded globals only
        finally:
            self._remove_globals_and_functions_from_context(context, external_context)
        for key in list(context):
            context[key] = to_json_native(context[key], f"变量“{key}”")
        return True

    def _remove_globals_and_functions_from_context(self, context, external_context=None):
        """Drop builtins, globals, callables, modules and classes a script left behind."""
        super()._remove_globals_and_functions_from_context(context, external_context)
        for key in [k for k, v in context.items() if isinstance(v, (ModuleType, type)) or k.startswith("__")]:
            context.pop(key)

    def call_service(self, context, **kwargs):
        """Services go through RestrictedScriptEngine.call_service and its dispatcher only."""
        raise SandboxViolation("服务任务只能通过平台的服务分发调用")


class RestrictedScriptEngine(PythonScriptEngine):
    """PythonScriptEngine on a RestrictedEnvironment, with a working call_service and clear sandbox errors."""

    def __init__(self, environment: RestrictedEnvironment,
                 service_dispatcher: ServiceDispatcher | None = None):
        super().__init__(environment=environment)
        self.service_dispatcher = service_dispatcher

    def evaluate(self, task, expression, external_context=None):
        """Evaluate an expression for a task; sandbox refusals are reported as such."""
        try:
            return self.environment.evaluate(expression, task.data, external_context)
        except SpiffWorkflowException as se:
            se.add_note(f"Error evaluating expression '{expression}'")
            raise
        except ScriptLimitExceeded as err:
            raise WorkflowTaskException(str(err), task=task, exception=err) from err
        except SandboxViolation as err:
            raise WorkflowTaskException(f"{err}（表达式 '{expression}'）", task=task, exception=err) from err
        except Exception as err:
            raise WorkflowTaskException(f"Error evaluating expression '{expression}'", task=task,
                                        exception=err) from err

    def execute(self, task, script, external_context=None):
        """Execute a script for a task; sandbox refusals are reported as such."""
        try:
            return self.environment.execute(script, task.data, external_context or {})
        except (SandboxViolation, ScriptLimitExceeded) as err:
            raise WorkflowTaskException(str(err), task=task, exception=err) from err
        except SpiffWorkflowException as err:
            self.create_task_exec_exception(task, script, err)  # notes the line on err itself
            raise
        except Exception as err:
            line_number, error_line = self.get_error_line_number_and_content(script, err)
            raise WorkflowTaskException(f"{type(err).__name__}: {err}", task=task, exception=err,
                                        line_number=line_number, error_line=error_line) from err

    def call_service(self, task, operation_name=None, operation_params=None, **kwargs):
        """Hand an evaluated service call to the dispatcher and return its dict result as JSON."""
        try:
            if self.service_dispatcher is None:
                raise LookupError("未配置服务分发，无法调用服务任务")
            result = self.service_dispatcher(task, operation_name, operation_params or {})
            if not isinstance(result, dict):
                raise TypeError(f"服务“{operation_name}”必须返回字典，实际返回 {type(result).__name__}")
            return json.dumps(result, ensure_ascii=False)
        except SpiffWorkflowException:
            raise
        except Exception as err:
            message = f"服务任务“{operation_name}”失败：{err}"
            raise WorkflowTaskException(message, task=task, exception=err) from err


def make_script_engine(service_dispatcher: ServiceDispatcher | None = None) -> PythonScriptEngine:
    """The platform's restricted engine; service tasks are handed to `service_dispatcher`."""
    return RestrictedScriptEngine(RestrictedEnvironment(restricted_globals()), service_dispatcher)
