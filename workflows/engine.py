"""SpiffWorkflow set-up: parsing deployed versions, the one loader/saver of case state, the script engine.

This is the only place besides `validation`/`script_engine` that imports SpiffWorkflow. Case state is stored
as Spiff's JSON without the process spec: the spec of a deployed version is parsed once per process and
reused, which keeps a load → run → save cycle around a millisecond or two.
"""
import json
from contextvars import ContextVar
from functools import lru_cache
from uuid import UUID

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.serializer.default.workflow import BpmnWorkflowConverter
from SpiffWorkflow.bpmn.serializer.migration.version_migration import MIGRATIONS
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG
from SpiffWorkflow.util.task import TaskState

from .script_engine import make_script_engine
from .services import dispatch_service
from .validation import parse_spec

ENGINE = make_script_engine(service_dispatcher=dispatch_service)


@lru_cache(maxsize=256)
def _specs(version_id: int, checksum: str, bpmn_xml: str, dmn_json: str, process_key: str):
    return parse_spec(bpmn_xml.encode(), {k: v.encode() for k, v in json.loads(dmn_json).items()}, process_key)


def specs_for(version) -> tuple:
    """The parsed (spec, subprocess_specs) of a deployed ProcessVersion, cached by id and checksum."""
    return _specs(version.id, version.checksum, version.bpmn_xml,
                  json.dumps(version.dmn_files or {}, sort_keys=True), version.process_key)


_loading_specs: ContextVar[tuple] = ContextVar("anfu_loading_specs")


class _SpecFreeConverter(BpmnWorkflowConverter):
    """Stores a workflow without its spec; the loader hands the cached spec back in."""

    def to_dict(self, workflow):
        dct = super(BpmnWorkflowConverter, self).to_dict(workflow)
        dct["spec"] = workflow.spec.name
        dct["subprocesses"] = self.mapping_to_dict(workflow.subprocesses)
        dct["bpmn_events"] = self.registry.convert(workflow.bpmn_events)
        return dct

    def from_dict(self, dct):
        spec, subprocess_specs = _loading_specs.get()
        dct.pop("spec", None)
        dct.pop("subprocess_specs", None)
        workflow = self.target_class(spec, subprocess_specs, deserializing=True)
        workflow.tasks = self.mapping_from_dict(dct["tasks"], UUID, workflow=workflow)
        workflow.task_tree = workflow.tasks.get(UUID(dct["root"]))
        self.set_default_attributes(workflow, dct)
        self.subprocesses_from_dict(dct["subprocesses"], workflow)
        workflow.bpmn_events = self.registry.restore(dct.pop("bpmn_events", []))
        return workflow


_config = dict(SPIFF_CONFIG)
_config[BpmnWorkflow] = _SpecFreeConverter
REGISTRY = BpmnWorkflowSerializer.configure(_config)
SERIALIZER = BpmnWorkflowSerializer(REGISTRY)


def new_workflow(version) -> BpmnWorkflow:
    """A fresh workflow of a deployed version with the restricted engine attached."""
    spec, subs = specs_for(version)
    return BpmnWorkflow(spec, subs, script_engine=ENGINE)


def load_workflow(workflow_json: str, version) -> BpmnWorkflow:
    """Deserialize a case's workflow and re-attach the restricted script engine (never the default one)."""
    dct = json.loads(workflow_json)
    found = dct.pop(SERIALIZER.VERSION_KEY, None)
    if found in MIGRATIONS:
        dct = MIGRATIONS[found](dct)
    token = _loading_specs.set(specs_for(version))
    try:
        wf = SERIALIZER.from_dict(dct)
    finally:
        _loading_specs.reset(token)
    wf.script_engine = ENGINE
    return wf


def dump_workflow(wf: BpmnWorkflow) -> str:
    """The JSON stored in case.workflow_json (spec left out; it lives in the process version)."""
    dct = SERIALIZER.to_dict(wf)
    dct[SERIALIZER.VERSION_KEY] = SERIALIZER.VERSION
    return json.dumps(dct, ensure_ascii=False, separators=(",", ":"))


def ready_user_tasks(wf: BpmnWorkflow) -> list:
    """READY human tasks, including those inside call activities."""
    return wf.get_tasks(state=TaskState.READY, manual=True)


def waiting_timers(wf: BpmnWorkflow) -> list[tuple]:
    """(task, due datetime UTC) for every WAITING task carrying a timer value, event gateways included."""
    found = []
    for t in wf.get_tasks(state=TaskState.WAITING):
        value = t.internal_data.get("event_value")
        if isinstance(value, dict):
            value = value.get("next")
        if isinstance(value, str):
            try:
                found.append((t, TimerEventDefinition.get_datetime(value)))
            except ValueError:
                continue
    return found


def get_task(wf: BpmnWorkflow, task_id: str):
    """A task of the workflow (or its subprocesses) by id, or None."""
    try:
        return wf.get_task_from_id(UUID(task_id))
    except Exception:  # noqa: BLE001 - Spiff raises a bare TaskNotFoundException
        return None

