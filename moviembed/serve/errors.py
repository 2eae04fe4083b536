"""Every error the API returns is JSON `{"error": "one line"}` with a fitting status, and
`"field": "min_rating"` when one parameter (or body field) was wrong.

Library errors already say what to do in one line; they map to HTTP by kind: a bad
value 400, an unknown movie 404, a store or model that cannot serve 503. An error about
one argument names it as the request does (`min_rating`, `genre`, `n`), not as the
command line does. FastAPI's request validation (a missing `q`, `n` over the limit)
answers 422, reduced to one line, its field the first one it names.
Anything else is a bug: answered 500 without details (uvicorn logs the traceback).
"""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from moviembed.errors import (
    ConfigError,
    EmbedderError,
    InputError,
    MoviembedError,
    NotFoundError,
    StoreError,
    UsageError,
    clip_values,
)
from moviembed.search.request_fields import request_name, worded_line

log = logging.getLogger(__name__)

STATUS_BY_ERROR: tuple[tuple[type[MoviembedError], int], ...] = (
    (NotFoundError, 404),
    (StoreError, 503),  # Chroma unreachable or failing, the index of another model
    (EmbedderError, 503),
    (UsageError, 400),
    (ConfigError, 400),
    (InputError, 400),
)
PLACES = ("query", "path", "body", "header")  # where a value came from: not worth saying
_API_NAMES = {"limit": "n"}  # a library argument the API calls otherwise (beside request_name)


def api_name(field: str) -> str:
    """The API's name for the library argument `field`: `genres` -> `genre`, `limit` -> `n`."""
    return _API_NAMES.get(field) or request_name(field)


def error_response(
    status: int,
    message: str,
    headers: dict[str, str] | None = None,
    field: str | None = None,
) -> JSONResponse:
    body = {"error": clip_values(message)} | ({"field": field} if field else {})
    return JSONResponse(body, status_code=status, headers=headers)


def status_for(exc: MoviembedError) -> int:
    """The HTTP status for a library error (500 for a kind the API never expects)."""
    return next((status for kind, status in STATUS_BY_ERROR if isinstance(exc, kind)), 500)


def validation_field(exc: RequestValidationError) -> str | None:
    """The parameter or body field the first validation problem names, if any."""
    for error in exc.errors()[:1]:
        names = [part for part in error.get("loc", ()) if part not in PLACES]
        if names and isinstance(names[0], str):
            return names[0]
    return None


def validation_message(exc: RequestValidationError) -> str:
    """FastAPI's list of validation problems as one line, e.g. `n: Input should be ...`."""
    problems = []
    for error in exc.errors():
        where = ".".join(str(part) for part in error.get("loc", ()) if part not in PLACES)
        message = str(error.get("msg", "invalid"))
        problems.append(f"{where}: {message}" if where else message)
    return "; ".join(problems) or "Invalid request."


def install_error_handlers(app: FastAPI) -> None:
    """Route every exception the app can raise to one JSON shape."""

    @app.exception_handler(MoviembedError)
    async def library_error(request: Request, exc: MoviembedError) -> JSONResponse:
        status = status_for(exc)
        if status >= 500:
            log.warning("%s %s: %s", request.method, request.url.path, exc)
        field = api_name(exc.field) if exc.field else None
        return error_response(status, worded_line(exc, api_name), field=field)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError) -> JSONResponse:
        return error_response(422, validation_message(exc), field=validation_field(exc))

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> JSONResponse:
        return error_response(exc.status_code, str(exc.detail), getattr(exc, "headers", None))

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> JSONResponse:
        return error_response(500, "Internal error; the server log has the details.")
