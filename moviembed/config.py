"""Settings resolved once: CLI flag > environment > `.env` > default.

This is the only module that reads the environment, so the rest of the library
can be driven with plain values (and tests can build a `Settings` directly).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from moviembed.errors import ConfigError

APP_NAME = "moviembed"
DEFAULT_COLLECTION = "movies"
DEFAULT_BATCH_SIZE = 32
DEFAULT_TMDB_URL = "https://api.themoviedb.org/3"
DEFAULT_TMDB_LANGUAGE = "en-US"
DEFAULT_TMDB_RATE = 20.0
DEFAULT_TMDB_TIMEOUT = 10.0
DEFAULT_TMDB_ATTEMPTS = 5

NumberT = TypeVar("NumberT", int, float)


def default_db_path() -> Path:
    """Where the index lives when `--db`/`MOVIEMBED_DB` is not given."""
    import platformdirs

    return Path(platformdirs.user_data_dir(APP_NAME)) / "index"


def default_cache_dir() -> Path:
    """Where TMDB responses and derived model files are cached."""
    import platformdirs

    return Path(platformdirs.user_cache_dir(APP_NAME))


@dataclass(frozen=True)
class Settings:
    """Everything configurable, validated. Secrets are kept out of `repr`."""

    db_path: Path
    cache_dir: Path
    collection: str = DEFAULT_COLLECTION
    model: str | None = None
    batch_size: int = DEFAULT_BATCH_SIZE
    tmdb_api_key: str | None = field(default=None, repr=False)
    tmdb_read_access_token: str | None = field(default=None, repr=False)
    tmdb_url: str = DEFAULT_TMDB_URL
    tmdb_language: str = DEFAULT_TMDB_LANGUAGE
    tmdb_rate: float = DEFAULT_TMDB_RATE
    tmdb_timeout: float = DEFAULT_TMDB_TIMEOUT
    tmdb_attempts: int = DEFAULT_TMDB_ATTEMPTS
    chroma_url: str | None = None
    chroma_token: str | None = field(default=None, repr=False)
    chroma_tenant: str | None = None
    chroma_database: str | None = None
    serve_token: str | None = field(default=None, repr=False)

    @classmethod
    def load(
        cls,
        env_file: Path | None = None,
        environ: Mapping[str, str] | None = None,
        **overrides: Any,
    ) -> Settings:
        """Resolve settings from overrides (CLI flags), `environ`, then a `.env` file.

        `.env` is read only from the working directory, or from `env_file` when given;
        a missing explicit `env_file` is an error, a missing `./.env` is not.
        """
        env = os.environ if environ is None else environ
        file_values = _read_env_file(env_file)

        def pick(field: str, variable: str) -> str | None:
            if overrides.get(field) is not None:
                return str(overrides[field])
            if env.get(variable):
                return env[variable]
            return file_values.get(variable) or None

        def positive(
            field: str, variable: str, default: NumberT, kind: Callable[[str], NumberT]
        ) -> NumberT:
            return _positive(pick(field, variable), variable, default, kind)

        db = pick("db_path", "MOVIEMBED_DB")
        cache = pick("cache_dir", "MOVIEMBED_CACHE_DIR")
        return cls(
            db_path=Path(db).expanduser() if db else default_db_path(),
            cache_dir=Path(cache).expanduser() if cache else default_cache_dir(),
            collection=pick("collection", "MOVIEMBED_COLLECTION") or DEFAULT_COLLECTION,
            model=pick("model", "MOVIEMBED_MODEL"),
            batch_size=positive("batch_size", "MOVIEMBED_BATCH_SIZE", DEFAULT_BATCH_SIZE, int),
            tmdb_api_key=pick("tmdb_api_key", "TMDB_API_KEY"),
            tmdb_read_access_token=pick("tmdb_read_access_token", "TMDB_READ_ACCESS_TOKEN"),
            tmdb_url=(pick("tmdb_url", "MOVIEMBED_TMDB_URL") or DEFAULT_TMDB_URL).rstrip("/"),
            tmdb_language=pick("tmdb_language", "TMDB_LANGUAGE") or DEFAULT_TMDB_LANGUAGE,
            tmdb_rate=positive("tmdb_rate", "MOVIEMBED_TMDB_RATE", DEFAULT_TMDB_RATE, float),
            tmdb_timeout=positive(
                "tmdb_timeout", "MOVIEMBED_TMDB_TIMEOUT", DEFAULT_TMDB_TIMEOUT, float
            ),
            chroma_url=pick("chroma_url", "MOVIEMBED_CHROMA_URL"),
            chroma_token=pick("chroma_token", "MOVIEMBED_CHROMA_TOKEN"),
            chroma_tenant=pick("chroma_tenant", "MOVIEMBED_CHROMA_TENANT"),
            chroma_database=pick("chroma_database", "MOVIEMBED_CHROMA_DATABASE"),
            tmdb_attempts=positive(
                "tmdb_attempts", "MOVIEMBED_TMDB_ATTEMPTS", DEFAULT_TMDB_ATTEMPTS, int
            ),
            serve_token=pick("serve_token", "MOVIEMBED_SERVE_TOKEN"),
        )

    @property
    def has_tmdb_credentials(self) -> bool:
        """True when a TMDB key or read access token is configured."""
        return bool(self.tmdb_api_key or self.tmdb_read_access_token)


def _read_env_file(env_file: Path | None) -> dict[str, str]:
    from dotenv import dotenv_values

    path = env_file if env_file is not None else Path.cwd() / ".env"
    if not path.is_file():
        if env_file is not None:
            raise ConfigError(f"The env file {env_file} does not exist.")
        return {}
    try:
        values = dotenv_values(path)
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"Cannot read the env file {path}: {exc.__class__.__name__}.") from None
    return {key: value for key, value in values.items() if value is not None}


def _positive(
    raw: str | None, name: str, default: NumberT, kind: Callable[[str], NumberT]
) -> NumberT:
    """Parse a setting that must be a positive number of type `kind` (int or float)."""
    if raw is None:
        return default
    try:
        value = kind(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a positive number, got {raw!r}.") from None
    if not value > 0:
        raise ConfigError(f"{name} must be a positive number, got {raw!r}.")
    return value
