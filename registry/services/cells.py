"""What a spreadsheet program would run as a formula, and how every file the registry writes prevents it.

Exports, templates and the project report all write their cells through `neutralise`; the import takes the
guard off again. A module of its own so that any writer can use it without importing the exports."""

# A spreadsheet program runs a cell that starts with one of these as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value):
    """A text cell a spreadsheet would run as a formula gets a quote in front; other values stay."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value
