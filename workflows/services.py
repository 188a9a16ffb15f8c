"""Dispatch of BPMN service tasks to the functions `handlers/` registers by name."""
from handlers import SERVICES

from .context import current
from .errors import EngineFailure


def dispatch_service(task, operation_name: str, operation_params: dict) -> dict:
    """Call the registered service with the step context, the task data and the evaluated parameters."""
    fn = SERVICES.get(operation_name)
    if fn is None:
        raise EngineFailure(f"流程引用了未注册的服务任务“{operation_name}”")
    params = {name: p["value"] for name, p in (operation_params or {}).items()}
    result = fn(current(), task.data, **params)
    return result if result is not None else {}
