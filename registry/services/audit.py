from sqlalchemy import insert

from registry.extensions import db
from registry.models import AuditEntry, utcnow


def _blank_is_none(value):
    return None if value is None or (isinstance(value, str) and not value.strip()) or value == [] else value


def differs(old, new) -> bool:
    """Whether a field really changes: an empty text, an empty list and no value at all are the same, so that
    saving a form with an empty field records nothing («Сайт: —» is no change when there was no site)."""
    return _blank_is_none(old) != _blank_is_none(new)


def record(actor, action: str, entity, **changes) -> AuditEntry:
    """Appends an audit entry; `entity` is a model instance (flushed so it has an id) or None."""
    if entity is not None and getattr(entity, "id", None) is None:
        db.session.flush()
    entry = AuditEntry(
        actor_id=getattr(actor, "id", None),
        action=action,
        entity_type=type(entity).__name__.lower() if entity is not None else "",
        entity_id=getattr(entity, "id", None),
        changes={key: _jsonable(value) for key, value in changes.items()},
    )
    db.session.add(entry)
    return entry


def record_many(actor, action: str, entity_type: str, changes_by_id: dict) -> None:
    """Appends one entry per entity id in a single bulk INSERT (imports of thousands of rows)."""
    if changes_by_id:
        db.session.execute(insert(AuditEntry), [
            {"actor_id": getattr(actor, "id", None), "action": action, "entity_type": entity_type,
             "entity_id": entity_id, "created_at": utcnow(),
             "changes": {key: _jsonable(value) for key, value in changes.items()}}
            for entity_id, changes in changes_by_id.items()])


def _jsonable(value):
    if isinstance(value, str | int | float | bool | type(None)):
        return value
    if isinstance(value, list | tuple):
        return [_jsonable(item) for item in value]
    return str(value)
