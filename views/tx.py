"""One commit per request: views that change state are wrapped so they commit once or roll back."""
from functools import wraps

from models import db


def commits(view):
    """Commit after the view returns; roll back if it raises (the error handler then answers)."""
    @wraps(view)
    def wrapper(*args, **kwargs):
        try:
            result = view(*args, **kwargs)
            db.session.commit()
            return result
        except Exception:
            db.session.rollback()
            raise
    return wrapper
