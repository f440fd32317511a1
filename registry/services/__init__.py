"""Write-side functions: the only code that changes data. They flush; the caller commits once."""


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
