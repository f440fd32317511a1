"""Company change history in words: audit entries of a company as its page shows them."""

from registry.labels import label
from registry.translation import lazy_gettext as _l

ACTION_LABELS = {
    "company.create": _l("Company registered"),
    "company.update": _l("Profile changed"),
    "company.verification": _l("Verification changed"),
    "company.rename": _l("Company renamed"),
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
    "because": _l("Because these changed"),
}
HIDDEN_FIELDS = {"offer_id"}
LONGEST_VALUE = 120


def _value_text(field: str, value) -> str:
    if field == "verification":
        return label("verification", value)
    if field == "because":  # the identity fields whose change sent a firm back to verification
        return ", ".join(str(FIELD_LABELS.get(name, name)) for name in value)
    if isinstance(value, list):
        value = ", ".join(str(item) for item in value)
    text = "—" if value in (None, "") else str(value)
    return text if len(text) <= LONGEST_VALUE else text[: LONGEST_VALUE - 1] + "…"


def describe(entry) -> tuple[str, list[tuple[str, str]]]:
    """(what happened, [(field, new value)]) for one audit entry of a company."""
    action = str(ACTION_LABELS.get(entry.action, entry.action))
    changes = [
        (str(FIELD_LABELS.get(field, field)), _value_text(field, value))
        for field, value in (entry.changes or {}).items()
        if field not in HIDDEN_FIELDS
    ]
    return action, changes
