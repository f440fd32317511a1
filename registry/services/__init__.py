"""Write-side functions: the only code that changes data. They flush; the caller commits once."""

from contextlib import contextmanager

from sqlalchemy.exc import IntegrityError


class ServiceError(ValueError):
    """A write refused for a reason the user can fix.

    `errors` maps input fields to translated messages (as forms, the API and import reports show them);
    `message` sums it up. `status` is the HTTP status the API answers with.
    """

    status = 422

    def __init__(self, message, field: str | None = None, errors: dict | None = None):
        super().__init__(str(message))
        self.message = message
        self.field = field
        self.errors = errors if errors is not None else ({field: [message]} if field else {})


class Conflict(ServiceError):
    """The write would duplicate something that must be unique (an INN, an e-mail)."""

    status = 409


class Forbidden(ServiceError):
    status = 403


@contextmanager
def taken_is_conflict(field: str, message):
    """A unique key that a concurrent request took between our check and our write (the check cannot see
    its uncommitted row) is refused as the check refuses it: a Conflict on `field`, not a server error.
    The failed flush leaves the transaction unusable, so it is rolled back here."""
    from registry.extensions import db

    try:
        yield
    except IntegrityError as error:
        if not is_unique_violation(error):
            raise
        db.session.rollback()
        raise Conflict(message, field) from error


def is_unique_violation(error: IntegrityError) -> bool:
    """PostgreSQL's unique_violation (SQLSTATE 23505), or SQLite's «UNIQUE constraint failed»."""
    return getattr(error.orig, "sqlstate", None) == "23505" or "UNIQUE constraint failed" in str(error.orig)
