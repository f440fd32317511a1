from registry.transfer import bp  # noqa: F401
