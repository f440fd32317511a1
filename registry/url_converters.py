"""URL converters: `<int:…>` bounded to what an integer column holds."""

from flask import Flask
from werkzeug.routing import IntegerConverter


class DatabaseIdConverter(IntegerConverter):
    """A number too large for an id column is simply a page that does not exist (404), not a database error."""

    MAX_ID = 2**31 - 1

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", self.MAX_ID)
        super().__init__(map, *args, **kwargs)


def init_url_converters(app: Flask) -> None:
    from registry.extensions import api

    app.url_map.converters["int"] = DatabaseIdConverter
    api.register_converter(DatabaseIdConverter,
                           lambda converter: {"type": "integer", "minimum": 0, "maximum": converter.max})
