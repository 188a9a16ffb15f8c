"""The small hierarchy of user-facing domain errors; views map each to one HTTP status."""


class DomainError(Exception):
    """Base of errors a user can understand; `message` is Chinese and shown as is."""

    status = 400
    code = "bad_request"

    def __init__(self, message: str, errors: dict | None = None):
        super().__init__(message)
        self.message = message
        self.errors = errors


class NotFound(DomainError):
    status, code = 404, "not_found"


class NotAllowed(DomainError):
    status, code = 403, "forbidden"


class NotAuthenticated(DomainError):
    status, code = 401, "unauthorized"


class Conflict(DomainError):
    """Wrong state or a lost race: someone else acted first."""

    status, code = 409, "conflict"


class InvalidInput(DomainError):
    """Validation failed; `errors` maps field names to lists of Chinese messages."""

    status, code = 422, "invalid"


class EngineFailure(DomainError):
    """A script, condition or timer expression in the diagram failed; the case is left unchanged."""

    status, code = 422, "engine_error"
