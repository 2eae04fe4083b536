"""The bearer-token check both servers make (`moviembed serve`'s API, `moviembed mcp --http`).

Kept free of web frameworks so each server wraps it its own way. The token is compared in
constant time and never appears in a message.
"""

from __future__ import annotations

import secrets

CHALLENGE = {"WWW-Authenticate": "Bearer"}  # sent with every 401
MISSING = "This service needs Authorization: Bearer <token>."
WRONG = "Wrong token."


def token_problem(authorization: str, token: str | None) -> str | None:
    """Why the `Authorization` header's value does not pass for `token` (None: it passes,
    or no token is set)."""
    if not token:
        return None
    scheme, _, given = authorization.partition(" ")
    if scheme.lower() != "bearer" or not given.strip():
        return MISSING
    if not secrets.compare_digest(given.strip().encode(), token.encode()):
        return WRONG
    return None
