"""marshmallow's validation messages, listed so that Babel extracts them for the Russian catalogue.

marshmallow needs its messages as plain strings, so they stay English inside it; registry/errors.py
translates each one when it builds the JSON error.
"""

from registry.translation import lazy_gettext as _l

MARSHMALLOW_MESSAGES = (
    _l("Missing data for required field."),
    _l("Field may not be null."),
    _l("Invalid value."),
    _l("Not a valid string."),
    _l("Not a valid integer."),
    _l("Not a valid number."),
    _l("Not a valid boolean."),
    _l("Not a valid date."),
    _l("Not a valid datetime."),
    _l("Not a valid list."),
    _l("Not a valid mapping type."),
    _l("Invalid input type."),
    _l("Unknown field."),
    _l("Invalid type."),
    _l("Must be one of: proposal, negotiation, agreement, implementation, completed, on_hold, cancelled."),
    _l("Must be one of: customer, supplier, partner."),
    _l("Must be one of: open, matched, closed."),
    _l("String does not match expected pattern."),
    _l("Must be one of: round_table, delegation_visit, fair, other."),
)
