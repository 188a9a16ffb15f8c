"""Count the SQL statements a block of code (e.g. one request) sends, with a `before_cursor_execute` listener."""
from contextlib import contextmanager

from sqlalchemy import event

from models import db


class StatementLog:
    """The statements seen while counting; `len()` is their number."""

    def __init__(self):
        self.statements: list[str] = []

    def __len__(self) -> int:
        return len(self.statements)

    def __repr__(self) -> str:
        return f"{len(self)} statements:\n" + "\n".join(s[:160] for s in self.statements)


@contextmanager
def count_statements(engine=None):
    """with count_statements() as log: client.get(...)  → len(log) statements were sent to the database."""
    engine = engine or db.engine
    log = StatementLog()

    def _seen(conn, cursor, statement, parameters, context, executemany):
        log.statements.append(statement)

    event.listen(engine, "before_cursor_execute", _seen)
    try:
        yield log
    finally:
        event.remove(engine, "before_cursor_execute", _seen)


def statements_for(client, url: str, **kw) -> tuple[object, StatementLog]:
    """GET `url` with `client` and return (response, statement log)."""
    with count_statements() as log:
        res = client.get(url, **kw)
    return res, log
