"""Write-side functions: the only code that changes data. They flush; the caller commits once."""


class ServiceError(ValueError):
    """A write refused for a reason the user can fix; `message` is translated, `field` names the input."""

    def __init__(self, message, field: str | None = None):
        super().__init__(str(message))
        self.message = message
        self.field = field
