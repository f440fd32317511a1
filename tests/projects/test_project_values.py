"""The value of a project as people type it, and what is said when it cannot be a value."""

from decimal import Decimal

import pytest

from registry.services import ServiceError
from registry.services.projects import parse_value


@pytest.mark.parametrize(("typed", "value"), [("1 500 000", Decimal("1500000.00")), ("2,5", Decimal("2.50")),
                                             ("", None), ("0", Decimal("0.00"))])
def test_values_as_people_type_them(app, typed, value):
    assert parse_value(typed) == value


@pytest.mark.parametrize(("typed", "message"), [("-100", "отрицательной"), ("сто", "числом"),
                                                ("1" + "0" * 16, "слишком велика")])
def test_a_value_that_cannot_be_is_refused_with_the_reason(app, typed, message):
    with app.test_request_context(headers={"Accept-Language": "ru"}):
        with pytest.raises(ServiceError) as refused:
            parse_value(typed)
        assert message in str(refused.value.message) and refused.value.field == "value_rub"
