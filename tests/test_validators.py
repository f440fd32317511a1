import pytest

from registry.validators import (
    IdentifierError,
    inn_region_mismatch,
    ogrnip_check_digit,
    validate_inn,
    validate_ogrn,
)
from tests.factories import region, valid_inn


@pytest.fixture(autouse=True)
def english(app):
    """Reasons are checked in English here; the Russian catalogue is checked elsewhere."""
    with app.test_request_context(headers={"Accept-Language": "en"}):
        from flask import session

        session["locale"] = "en"
        yield


@pytest.mark.parametrize("inn", ["7707083893", "500100732259", " 7707083893 "])
def test_valid_inns_pass(inn):
    assert validate_inn(inn) == inn.strip()


@pytest.mark.parametrize(
    ("inn", "reason"),
    [
        ("7707083894", "check digit"),  # last digit off by one
        ("500100732258", "check digit"),
        ("77070838", "Wrong length"),
        ("77070838931", "Wrong length"),
        ("77O7083893", "Only digits"),
        ("", "required"),
    ],
)
def test_bad_inns_are_refused_with_a_reason(inn, reason):
    with pytest.raises(IdentifierError) as error:
        validate_inn(inn)
    assert reason in str(error.value)


@pytest.mark.parametrize("ogrn", ["1027700132195", "1022200525819", "304500116000157"])
def test_valid_ogrns_pass(ogrn):
    assert validate_ogrn(ogrn) == ogrn


def test_ogrnip_whose_remainder_is_ten_or_more_is_accepted():
    # stdnum compares str(n % 13) with one digit, so remainders 10-12 can never pass there.
    samples = [body for body in map(str, range(30400000000000, 30400000000200)) if int(body) % 13 >= 10]
    assert {int(body) % 13 for body in samples} == {10, 11, 12}
    for body in samples:
        number = body + ogrnip_check_digit(body)
        assert number[-1] == str(int(body) % 13 - 10)
        assert validate_ogrn(number) == number
        wrong = body + str((int(number[-1]) + 1) % 10)
        with pytest.raises(IdentifierError):
            validate_ogrn(wrong)


@pytest.mark.parametrize(
    ("ogrn", "reason"),
    [
        ("1027700132194", "check digit"),
        ("304500116000158", "check digit"),
        ("10277001321", "Wrong length"),
        ("10277OO132195", "Only digits"),
        ("0027700132195", "does not start"),
    ],
)
def test_bad_ogrns_are_refused(ogrn, reason):
    with pytest.raises(IdentifierError) as error:
        validate_ogrn(ogrn)
    assert reason in str(error.value)


def test_an_inn_from_another_region_is_only_a_mismatch(db):
    ulyanovsk, mordovia = region("RU-ULY"), region("RU-MO")
    inn = valid_inn("13")
    assert inn_region_mismatch(inn, mordovia) is False
    assert inn_region_mismatch(inn, ulyanovsk) is True
    assert inn_region_mismatch(None, ulyanovsk) is False
