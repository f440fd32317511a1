from registry.events import bp  # noqa: F401
