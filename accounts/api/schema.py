"""The OpenAPI schema's answers: drf-spectacular's, plus the error answers every operation
can give (schemathesis holds the API to its schema in tests/schema/).

Any operation may answer 400 (a bad field, filter or page), 401/403 (no or wrong
credentials, a role without access), 404 (a row outside the caller's jurisdiction, a page
past the end), 413 (a body over the size cap) and 429 (a throttle). Each is a JSON object:
``{"detail": "…"}`` or a map from field name to messages (accounts.api.exceptions)."""

from drf_spectacular.openapi import AutoSchema

ERROR_BODY = {
    "type": "object",
    "additionalProperties": True,
    "description": '{"detail": "…"} or a map from field name to a list of messages.',
}

ERRORS = {
    "400": "Bad input: a map from field name to messages; nothing changed.",
    "401": "No credentials, or a token that expired or was revoked.",
    "403": "Not allowed to this role, or a CSRF failure on a session request.",
    "404": "No such row in the caller's jurisdiction, or a page past the end.",
    "413": "The request body is larger than the portal accepts.",
    "429": "Too many requests: wait and try again (Retry-After says how long).",
}


class PortalAutoSchema(AutoSchema):
    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if direction != "response":
            return responses
        for code, description in ERRORS.items():
            responses.setdefault(
                code,
                {
                    "description": description,
                    "content": {"application/json": {"schema": ERROR_BODY}},
                },
            )
        return responses
