"""GET /api/units: the deployment's city and counties (GB/T 2260 codes)."""
from sqlalchemy import select

from models import Unit, db

from . import api


@api.get("/units")
def list_units():
    """The administrative units of this deployment.
    ---
    get:
      summary: 行政区划单位列表
      security: []
      responses:
        200: {description: 单位, content: {application/json: {schema: {type: object, properties: {items: {type: array, items: UnitOut}}}}}}
    """
    rows = db.session.execute(select(Unit).order_by(Unit.code)).scalars()
    return {"items": [{"code": u.code, "name": u.name, "parent": u.parent_code} for u in rows]}
