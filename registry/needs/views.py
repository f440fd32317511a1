from registry.needs import bp  # noqa: F401
