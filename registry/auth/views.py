from registry.auth import bp  # noqa: F401
