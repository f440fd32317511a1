"""Checks of Russian company identifiers (INN, OGRN, OGRNIP) through python-stdnum."""

from stdnum.exceptions import InvalidChecksum, InvalidComponent, InvalidFormat, InvalidLength, ValidationError
from stdnum.ru import inn as stdnum_inn
from stdnum.ru import ogrn as stdnum_ogrn

from registry.translation import lazy_gettext as _l


class IdentifierError(ValueError):
    """An identifier that cannot be right; `message` is ready for the user (lazy, translated)."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


def _explain(error: Exception, *, lengths: str):
    # InvalidLength and InvalidComponent are subclasses of InvalidFormat: test them first.
    if isinstance(error, InvalidLength):
        return _l("Wrong length: %(lengths)s digits expected.", lengths=lengths)
    if isinstance(error, InvalidComponent):
        return _l("The number does not start as such numbers do.")
    if isinstance(error, InvalidFormat):
        return _l("Only digits are allowed.")
    return _l("The check digit does not match: the number has a typo.")


def validate_inn(value: str) -> str:
    """The INN (10 digits for an organisation, 12 for a person) with a valid checksum, or IdentifierError."""
    if not (value or "").strip():
        raise IdentifierError(_l("The INN is required."))
    try:
        return stdnum_inn.validate(value)
    except ValidationError as error:
        raise IdentifierError(_explain(error, lengths="10 / 12")) from error


def ogrnip_check_digit(number: str) -> str:
    # The OGRNIP check digit is the last digit of (first 14 digits mod 13): a remainder of
    # 10, 11 or 12 gives 0, 1 or 2. python-stdnum compares the whole remainder and so rejects those.
    return str(int(number[:14]) % 13 % 10)


def validate_ogrn(value: str) -> str:
    """An OGRN (13 digits) or OGRNIP (15 digits) with a valid checksum, or IdentifierError."""
    try:
        return stdnum_ogrn.validate(value or "")
    except InvalidChecksum as error:
        number = stdnum_ogrn.compact(value)
        if len(number) == 15 and number[-1] == ogrnip_check_digit(number):
            return number
        raise IdentifierError(_explain(error, lengths="13 / 15")) from error
    except ValidationError as error:
        raise IdentifierError(_explain(error, lengths="13 / 15")) from error


def inn_region_mismatch(inn: str | None, region) -> bool:
    """True when the INN's first two digits name another region: worth a warning, not an error
    (firms move, and INNs are never reissued)."""
    return bool(inn) and region is not None and inn[:2] != region.inn_code
