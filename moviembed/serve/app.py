"""The FastAPI application: API routers under `/api`, the web page at `/`.

FastAPI's own `/docs` and `/redoc` pages load their scripts from a CDN, so they are off;
the API description is at `/openapi.json` and the page links to it.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import APIRouter, Depends, FastAPI
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles
from starlette.concurrency import run_in_threadpool

from moviembed import __version__
from moviembed.config import Settings
from moviembed.serve.errors import install_error_handlers
from moviembed.serve.routes import cli, movies, recommend, search
from moviembed.serve.security import allow_origins, token_checker
from moviembed.serve.service import RECHECK_SECONDS, IndexService

STATIC = Path(__file__).parent / "static"
# The page runs only its own files; posters are the one thing it may load from elsewhere.
PAGE_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' https://image.tmdb.org; object-src 'none'; "
        "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}


def create_app(
    settings: Settings,
    *,
    cors_origins: Sequence[str] = (),
    service: IndexService | None = None,
    recheck_seconds: float = RECHECK_SECONDS,
) -> FastAPI:
    """The app for `settings`; the token is `settings.serve_token`.

    The index opens when the app starts (or pass an open `service`, e.g. one the CLI
    opened so that a failure is reported before the server starts), and closes with it.
    """

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        opened = service or await run_in_threadpool(IndexService.open, settings, recheck_seconds)
        app.state.service = opened
        opened.start_watching()
        try:
            yield
        finally:
            await run_in_threadpool(opened.close)

    app = FastAPI(
        title="moviembed",
        version=__version__,
        summary="Semantic movie search and RAG context over a moviembed index.",
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
    )
    install_error_handlers(app)
    allow_origins(app, cors_origins)
    api = APIRouter(prefix="/api", dependencies=[Depends(token_checker(settings.serve_token))])
    for area in (search, movies, recommend, cli):
        api.include_router(area.router)
    app.include_router(api)
    _add_page(app)
    return app


def _add_page(app: FastAPI) -> None:
    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    @app.get("/", include_in_schema=False)
    def page() -> FileResponse:
        return FileResponse(STATIC / "index.html", headers=PAGE_HEADERS)
