"""办件编号: every case gets a formatted, unique number when it starts — city code, year, process, sequence.

E.g. 140500-2026-登记-00012. The sequence is one counter row per prefix, incremented with a single atomic
UPDATE … RETURNING (after an INSERT … ON CONFLICT DO NOTHING for the first case of a year), so concurrent
starts on any backend never share a number.
"""
from flask import current_app
from sqlalchemy import update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from handlers import PROCESSES
from models import Case, CaseCounter, db

from . import clock

WORDS = {"registration": "登记", "grading": "评定", "star_rating": "星级", "interview": "约谈",
         "blacklist": "失信"}  # processes without an entry use the first two characters of their title


def process_word(process_key: str) -> str:
    """The process part of a case number (Chinese, never a code)."""
    if process_key in WORDS:
        return WORDS[process_key]
    info = PROCESSES.get(process_key)
    return (info.title[:2] if info else "案件")


def assign_number(case: Case) -> str:
    """Give a new case its 办件编号 (flushes)."""
    prefix = f"{current_app.config['CITY_CODE']}-{clock.today().year}-{process_word(case.process_key)}"
    ins = pg_insert if db.engine.dialect.name == "postgresql" else sqlite_insert
    db.session.execute(ins(CaseCounter).values(prefix=prefix, last=0).on_conflict_do_nothing())
    seq = db.session.execute(update(CaseCounter).where(CaseCounter.prefix == prefix)
                             .values(last=CaseCounter.last + 1).returning(CaseCounter.last)).scalar_one()
    case.number = f"{prefix}-{seq:05d}"
    return case.number
