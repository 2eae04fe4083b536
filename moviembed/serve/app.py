"""The FastAPI application: API routers under `/api`, the web page at `/`.

FastAPI's own `/docs` and `/redoc` pages load their scripts from a CDN, so they are off;
the API description is at `/openapi.json` and the page links to it.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from urllib.parse import urlsplit

from fastapi import APIRouter, Depends, FastAPI
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from starlette.concurrency import run_in_threadpool

from moviembed import __version__
from moviembed.config import Settings
from moviembed.search.service import RECHECK_SECONDS, IndexService
from moviembed.serve.errors import install_error_handlers
from moviembed.serve.routes import cli, movies, recommend, search
from moviembed.serve.security import allow_hosts, allow_origins, token_checker

STATIC = Path(__file__).parent / "static"
IMAGE_BASE_TAG = '<meta name="moviembed-image-base" content="">'


def page_headers(image_base_url: str) -> dict[str, str]:
    """The page runs only its own files; posters are the one thing it may load from
    elsewhere, from the origin of the image base URL setting."""
    parts = urlsplit(image_base_url)
    return {
        "Content-Security-Policy": (
            f"default-src 'self'; img-src 'self' {parts.scheme}://{parts.netloc}; "
            "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
        ),
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
    }


def create_app(
    settings: Settings,
    *,
    cors_origins: Sequence[str] = (),
    host: str = "127.0.0.1",
    service: IndexService | None = None,
    recheck_seconds: float = RECHECK_SECONDS,
) -> FastAPI:
    """The app for `settings`; the token is `settings.serve_token`. It answers requests
    for `host` (the address it listens on), loopback names and `settings.allowed_hosts`.

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
    allow_hosts(app, (host, *settings.allowed_hosts))
    api = APIRouter(prefix="/api", dependencies=[Depends(token_checker(settings.serve_token))])
    for area in (search, movies, recommend, cli):
        api.include_router(area.router)
    app.include_router(api)
    _add_page(app, settings.image_base_url)
    return app


def _add_page(app: FastAPI, image_base_url: str) -> None:
    """`/` is index.html with the poster base URL filled in (the setting is checked to hold
    no quotes or spaces); `/static/` the page's files as they are."""
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    html = (STATIC / "index.html").read_text(encoding="utf-8")
    filled = IMAGE_BASE_TAG.replace('content=""', f'content="{image_base_url}"')
    html = html.replace(IMAGE_BASE_TAG, filled)
    headers = page_headers(image_base_url)

    @app.get("/", include_in_schema=False)
    def page() -> HTMLResponse:
        return HTMLResponse(html, headers=headers)
