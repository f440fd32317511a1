"""`lazy_gettext` for the whole registry: Flask-Babel's, except that a page escapes the values it interpolates.

Flask-Babel's LazyString.__html__ returns the finished string, so Jinja takes it as safe markup: a
message that repeats input («Unknown OKVED2 codes: %(codes)s») would put the input on the page as live
HTML. Only the translation is ours to trust; the values are escaped (markupsafe's `%` does it, and a
value that is itself such a message is escaped the same way). As plain text (CLI, API, mail, files) the
message reads exactly as before.
"""

from flask_babel import gettext
from flask_babel.speaklater import LazyString
from markupsafe import Markup


class LazyText(LazyString):
    def __html__(self) -> Markup:
        (message,), values = self._args, self._kwargs
        translated = Markup(gettext(message))
        return translated % values if values else translated


def lazy_gettext(message: str, **values) -> LazyText:
    return LazyText(gettext, message, **values)
