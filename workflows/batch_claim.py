"""Batch claim (批量认领) from the inbox: each task is claimed on its own; one winner per task."""
from .errors import DomainError
from .tasks import claim_task

MAX_BATCH = 100


def claim_tasks(user, task_ids: list[str]) -> tuple[list, list[dict]]:
    """Claim each task (in a fixed order, so two batches never wait on each other crosswise).

    Returns (claimed OpenTasks, refusals {id, status, error, message}); a refusal names who was first.
    """
    claimed, refused = [], []
    for task_id in sorted(set(task_ids)):
        try:
            claimed.append(claim_task(user, task_id))
        except DomainError as err:
            refused.append({"id": task_id, "status": err.status, "error": err.code, "message": err.message})
    return claimed, refused
