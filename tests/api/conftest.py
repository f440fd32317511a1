import pytest

from registry.services.users import create_token
from tests.factories import make_user


@pytest.fixture
def token_for(db):
    """A bearer header for a new user of `role` (extra keyword arguments go to the user)."""

    def make(role: str, **values) -> dict:
        user = make_user(role, **values)
        token = create_token(user)
        db.session.commit()
        return {"Authorization": f"Bearer {token}"}

    return make
