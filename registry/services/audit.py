from registry.extensions import db
from registry.models import AuditEntry


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


def _jsonable(value):
    if isinstance(value, str | int | float | bool | type(None)):
        return value
    if isinstance(value, list | tuple):
        return [_jsonable(item) for item in value]
    return str(value)
