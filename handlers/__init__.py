"""Per-process forms and service tasks, registered by the names the diagrams use.

Each process has `bpmn/<process>.bpmn` and `handlers/<process>.py`; importing this package imports every
handler module so that the registries below are complete before any diagram is deployed.
"""
import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass, field

FORMS: dict[str, "FormSpec"] = {}
SERVICES: dict[str, Callable] = {}
PROCESSES: dict[str, "ProcessInfo"] = {}


@dataclass
class FormSpec:
    """A user-task form: a marshmallow schema factory plus optional cross-record checks and prefill."""

    key: str
    title: str
    schema: Callable  # (settings: dict) -> marshmallow.Schema instance
    validate: Callable | None = None  # (ctx, data) -> {field: [messages]}
    prefill: Callable | None = None  # (ctx, task_data) -> dict
    instructions: str = ""
    shows: tuple = ()  # form keys whose submitted values the task page shows read-only (e.g. what is reviewed)
    tables: Callable | None = None  # (ctx, task_data) -> [{title, columns, rows: [{cells, flag}], note}] shown read-only
    # (ctx with .viewer, task_data) -> [{title, rows: [(label, value)], documents: [Document]}]: what is decided on,
    # shown in full at the top of the task page
    submission: Callable | None = None
    prefill_wins: bool = False  # prefill replaces values left in the task data (e.g. a previous expert's findings)
    # Forms whose latest submission in this case this form opens with (its own role's earlier words, e.g. the
    # agency's corrected application from its application). Every other form opens empty but for `prefill`:
    # a decision (审核/审批/决定/评分) never opens with an earlier decision; those are shown read-only instead.
    carry_over: tuple = ()


@dataclass
class ProcessInfo:
    """A shipped process: its key (= bpmn file name and process id), Chinese title and who may start it."""

    key: str
    title: str
    starter_roles: tuple = ()
    dmn: tuple = ()
    messages: tuple = ()
    extra: dict = field(default_factory=dict)
    # Where the process is started when not from the start menu (e.g. "round": a grading round starts one case
    # per participating agency); such a process is not offered in the menu and is refused there.
    start_via: str = ""


def register_form(spec: FormSpec) -> FormSpec:
    """Make a form available to diagrams under `spec.key`."""
    FORMS[spec.key] = spec
    return spec


def service(name: str) -> Callable:
    """Decorator: make a function callable from a diagram's serviceTaskOperator `name`."""
    def wrap(fn: Callable) -> Callable:
        SERVICES[name] = fn
        return fn
    return wrap


def register_process(info: ProcessInfo) -> ProcessInfo:
    """Declare a shipped process so it is deployed on first start."""
    PROCESSES[info.key] = info
    return info


def load_all() -> None:
    """Import every handler module of this package."""
    for mod in pkgutil.iter_modules(__path__):
        if not mod.name.startswith("_"):
            importlib.import_module(f"{__name__}.{mod.name}")


load_all()
