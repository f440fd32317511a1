"""Change history in words: audit entries as pages show them, with names where ids and codes were stored.

Audit entries keep ids (participants, a need, a responsible official) and codes (a capability node), which
mean nothing to a reader. `AuditNames.for_entries` reads the names behind every reference in a list of
entries with at most one query per kind of record, so a history page runs a fixed number of queries.
"""

from dataclasses import dataclass, field

from sqlalchemy import select

from registry.extensions import db
from registry.i18n import localized
from registry.labels import label
from registry.translation import lazy_gettext as _l

ACTION_LABELS = {
    "company.create": _l("Company registered"),
    "company.update": _l("Profile changed"),
    "company.verification": _l("Verification changed"),
    "company.rename": _l("Company renamed"),
    "company.publication": _l("Publication decided"),
    "offer.create": _l("Capability added"),
    "offer.update": _l("Capability changed"),
    "offer.delete": _l("Capability deleted"),
}

FIELD_LABELS = {
    "inn": _l("INN"),
    "ogrn": _l("OGRN"),
    "name": _l("Company name"),
    "legal_form": _l("Legal form"),
    "region": _l("Region"),
    "city": _l("City"),
    "website": _l("Website"),
    "description": _l("Description"),
    "employees": _l("Employees"),
    "okved": _l("OKVED2 codes"),
    "contacts": _l("Contacts"),
    "capabilities": _l("Capabilities"),
    "capability": _l("Capability"),
    "text": _l("Description"),
    "verification": _l("Verification"),
    "previous_name": _l("Previous name"),
    "publication": _l("Publication"),
    "note": _l("Note"),
    "because": _l("Because these changed"),
}
HIDDEN_FIELDS = {"offer_id"}
LONGEST_VALUE = 120


# Which stored fields refer to which records, and by what: (model name, key column).
REFERENCES = {
    "participants": ("company", "id"),
    "companies": ("company", "id"),
    "company_id": ("company", "id"),
    "supplier_id": ("company", "id"),
    "direction": ("capability", "id"),
    "capability": ("capability", "code"),
    "responsible": ("user", "id"),
    "source_event": ("event", "id"),
    "need_id": ("need", "id"),
    "project_id": ("project", "id"),
}


def _models() -> dict:
    from registry.models import Capability, Company, Event, Need, Project, User

    return {"company": (Company, lambda row: row.name), "capability": (Capability, localized),
            "user": (User, lambda row: row.email), "event": (Event, lambda row: row.title),
            "need": (Need, lambda row: row.title), "project": (Project, lambda row: row.title)}


_ENTITY_KINDS = ("company", "need", "project", "event", "user")


def _references(value) -> list:
    """The ids or codes in a stored value: one, a list of them, or a list of [id, role] pairs."""
    if isinstance(value, list):
        return [item[0] if isinstance(item, list) and item else item for item in value]
    return [value]


@dataclass
class AuditNames:
    """Names of the records audit entries refer to: (kind, id or code) -> words."""

    names: dict = field(default_factory=dict)

    @classmethod
    def for_entries(cls, entries) -> "AuditNames":
        wanted: dict[tuple[str, str], set] = {}
        for entry in entries:
            for key, value in (entry.changes or {}).items():
                if key in REFERENCES and value not in (None, "", []):
                    wanted.setdefault(REFERENCES[key], set()).update(
                        ref for ref in _references(value) if isinstance(ref, int | str) and ref != "")
            if entry.entity_type in _ENTITY_KINDS and entry.entity_id is not None:
                wanted.setdefault((entry.entity_type, "id"), set()).add(entry.entity_id)
        names, models = {}, _models()
        for (kind, column), refs in sorted(wanted.items()):
            model, words = models[kind]
            for row in db.session.scalars(select(model).where(getattr(model, column).in_(list(refs)))):
                names[(kind, getattr(row, column))] = words(row)
        return cls(names)

    def entity(self, entry) -> str | None:
        """The name of the record an entry is about, when it still exists."""
        return self.names.get((entry.entity_type, entry.entity_id))

    def value(self, key: str, value):
        """The stored value with its references put in words (a reference to a deleted record stays as it was)."""
        if key not in REFERENCES or value in (None, "", []):
            return value
        kind = REFERENCES[key][0]

        def word(item):
            if isinstance(item, list) and item:  # [company id, role]
                role = label("participant_role", item[1]) if len(item) > 1 else ""
                return f"{self.names.get((kind, item[0]), item[0])}" + (f" ({role})" if role else "")
            return self.names.get((kind, item), item)

        return [word(item) for item in value] if isinstance(value, list) else word(value)


def _value_text(field: str, value) -> str:
    if field in ("verification", "publication"):
        return label(field, value)
    if field == "because":  # the identity fields whose change sent a firm back to verification
        return ", ".join(str(FIELD_LABELS.get(name, name)) for name in value)
    if isinstance(value, list):
        value = ", ".join(str(item) for item in value)
    text = "—" if value in (None, "") else str(value)
    return text if len(text) <= LONGEST_VALUE else text[: LONGEST_VALUE - 1] + "…"


def describe(entry, names: AuditNames | None = None) -> tuple[str, list[tuple[str, str]]]:
    """(what happened, [(field, new value)]) for one audit entry of a company; `names` puts references in words."""
    names = names or AuditNames()
    action = str(ACTION_LABELS.get(entry.action, entry.action))
    changes = [
        (str(FIELD_LABELS.get(field, field)), _value_text(field, names.value(field, value)))
        for field, value in (entry.changes or {}).items()
        if field not in HIDDEN_FIELDS
    ]
    return action, changes


def describer(entries):
    """`describe` for these entries, their references read once (the company page's history)."""
    names = AuditNames.for_entries(entries)
    return lambda entry: describe(entry, names)
