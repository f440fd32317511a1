from registry.dashboard import bp  # noqa: F401
