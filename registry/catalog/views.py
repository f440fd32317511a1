from registry.catalog import bp  # noqa: F401
