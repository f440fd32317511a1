from marshmallow import Schema, fields


class ErrorSchema(Schema):
    """Every API error: a message for people, and per-field messages for programs and forms."""

    message = fields.Str(required=True)
    errors = fields.Dict(keys=fields.Str(), values=fields.List(fields.Str()))
