from registry.projects import bp  # noqa: F401
