"""Settings resolved once: CLI flag > environment > `.env` > default, every value validated.

This is the only module that reads the environment. Each setting is declared once, as a
field of `Settings` made by `_setting`: its name, type, default, variable, parser and
help. `Settings.load`, the checks of `.env.example` and the docs, the CLI's help and the
error messages all derive from that declaration, and every source of a value goes
through the same parser, so a value from `.env` meets the same bounds as the flag.
The rest of the library is driven with a `Settings` or plain values.
"""

from __future__ import annotations

import io
import math
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from moviembed.errors import ConfigError, InputError
from moviembed.files import read_user_text

APP_NAME = "moviembed"
DEFAULT_COLLECTION = "movies"
DEFAULT_TMDB_URL = "https://api.themoviedb.org/3"
DEFAULT_CHROMA_PORT = 8000
DEFAULT_IMAGE_BASE_URL = "https://image.tmdb.org/t/p/w185"  # TMDB's posters, 185 px wide
MAX_ENV_FILE_BYTES = 2**20
# The batch size when none is set, per device: small on the CPU (bigger batches are no faster
# and hold more memory), large on a GPU, which needs many texts at once to be busy (512
# measured best on an H200).
BATCH_SIZES = {"cpu": 32, "cuda": 512, "mps": 128}


def default_db_path() -> Path:
    """Where the index lives when `--db`/`MOVIEMBED_DB` is not given."""
    import platformdirs

    return Path(platformdirs.user_data_dir(APP_NAME)) / "index"


def default_cache_dir() -> Path:
    """Where TMDB responses and derived model files are cached."""
    import platformdirs

    return Path(platformdirs.user_cache_dir(APP_NAME))


@dataclass(frozen=True)
class SettingSpec:
    """How one setting is named, parsed and explained; `parse` raises ValueError saying
    what it wants."""

    variable: str
    parse: Callable[[str], Any]
    help: str
    secret: bool = False  # never repeat the value in a message
    clearable: bool = True  # an empty flag means "not set" (else it is a bad value)

    def parsed(self, raw: str, name: str, origin: str | None = None) -> Any:
        """`raw` parsed, or ConfigError naming where it came from: `origin` (a variable),
        else the setting itself as `{field}`, which each face words its own way."""
        try:
            return self.parse(raw)
        except ValueError as exc:
            shown = "" if self.secret else f", got {_shown(raw)}"
            where = origin or "{field}"
            raise ConfigError(f"{where} must be {exc}{shown}.", field=name) from None


def _shown(raw: str) -> str:
    """A bad value, quoted and shortened for a one-line message."""
    return repr(raw if len(raw) <= 60 else raw[:57] + "...")


def _folder(raw: str) -> Path:
    """A folder path where the first existing part is a folder: a file there would only
    show later, as caches that quietly stop working."""
    path = _path(raw)
    existing = next((part for part in (path, *path.parents) if part.exists()), None)
    if existing is not None and not existing.is_dir():
        raise ValueError(f"a folder, but {existing} is a file")
    return path


def _number(kind: type[int] | type[float], low: float, high: float) -> Callable[[str], Any]:
    """A parser for an int or float from `low` to `high` (finite, so 1e-300 is refused)."""
    wanted = f"a{'' if kind is int else ' decimal'} number from {low:g} to {high:g}"

    def parse(raw: str) -> Any:
        try:
            value = kind(raw.strip())
        except (ValueError, OverflowError):
            raise ValueError(wanted) from None
        if not (math.isfinite(value) and low <= value <= high):
            raise ValueError(wanted)
        return value

    return parse


def _path(raw: str) -> Path:
    if not raw.strip() or "\0" in raw:
        raise ValueError("a folder path (non-empty, no NUL bytes)")
    return Path(raw).expanduser()


def _absolute(path: Path) -> Path:
    """`path` made absolute against the working directory (kept as it is without one)."""
    try:
        return Path(os.path.abspath(path))
    except OSError:  # the working directory was removed
        return Path(path)


def _text(pattern: str, wanted: str) -> Callable[[str], str]:
    """A parser for text matching `pattern` in full."""
    compiled = re.compile(pattern)

    def parse(raw: str) -> str:
        if not compiled.fullmatch(raw.strip()):
            raise ValueError(wanted)
        return raw.strip()

    return parse


# Credentials travel in HTTP headers, which carry printable ASCII only.
_credential = _text(
    r"[\x21-\x7e]{1,4096}", "printable ASCII without spaces (check for a paste error)"
)
_name = _text(
    r"[A-Za-z0-9][A-Za-z0-9._-]{1,510}[A-Za-z0-9]", "3-512 letters, digits, '.', '_' or '-'"
)
_language = _text(r"[a-z]{2}(-[A-Z]{2})?", "a language like en or en-US")
_model = _text(r"[^\x00-\x1f\x7f]{1,500}", "a model name or folder (no control characters)")


_device = _text(r"auto|cpu|mps|cuda(:[0-9]{1,2})?", "auto, cpu, cuda, cuda:N or mps")


def _http_url(raw: str, example: str = DEFAULT_TMDB_URL) -> str:
    wanted = f"an http(s) URL like {example} (no spaces)"
    text = raw.strip()
    try:
        parts = urlsplit(text)
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number
    except ValueError:  # "Invalid IPv6 URL" and the like: say what is wanted instead
        raise ValueError(wanted) from None
    printable = text.isprintable() and not any(char.isspace() for char in text)
    if parts.scheme not in ("http", "https") or not parts.hostname or not printable:
        raise ValueError(wanted)
    return text.rstrip("/")


_HOST_NAME = re.compile(r"\*|[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*\.?")


def _host_names(raw: str) -> tuple[str, ...]:
    """Comma-separated host names (or `*`), as the service compares them with `Host:`."""
    names = tuple(name.strip().lower() for name in raw.split(",") if name.strip())
    if not names or not all(_HOST_NAME.fullmatch(name) and len(name) <= 253 for name in names):
        raise ValueError("host names separated by commas, like movies.example.org,localhost")
    return names


def _image_url(raw: str) -> str:
    """A poster base URL: no quotes, spaces or query, as it goes into the page and its CSP."""
    url = _http_url(raw, DEFAULT_IMAGE_BASE_URL)
    if re.search(r"[\s\"'<>;?#]", url):
        raise ValueError(f"an http(s) URL like {DEFAULT_IMAGE_BASE_URL}")
    return url


def server_address(url: str) -> tuple[str, int, bool]:
    """(host, port, ssl) of a server URL `http(s)://host[:port]`; ValueError for anything else
    (credentials, paths and queries included: a token belongs in its own setting)."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        port, parts = None, None  # a malformed host or port, e.g. "http://[::1"
    if (
        parts is None
        or parts.scheme not in ("http", "https")
        or not parts.hostname
        or parts.path not in ("", "/")
        or parts.username
        or parts.password
        or parts.query
        or parts.fragment
    ):
        raise ValueError(
            "a scheme, host and optional port, like http://localhost:8000 "
            "(put a token in MOVIEMBED_CHROMA_TOKEN, not in the URL)"
        )
    ssl = parts.scheme == "https"
    return parts.hostname, port or (443 if ssl else DEFAULT_CHROMA_PORT), ssl


def _server_url(raw: str) -> str:
    """`scheme://host:port` of a Chroma server URL."""
    host, port, ssl = server_address(raw)
    host = f"[{host}]" if ":" in host else host
    return f"{'https' if ssl else 'http'}://{host}:{port}"


def _setting(
    variable: str,
    parse: Callable[[str], Any],
    help: str,
    default: Any = None,
    *,
    factory: Callable[[], Any] | None = None,
    secret: bool = False,
    clearable: bool = True,
) -> Any:
    """One setting's whole declaration, as a `Settings` field: its environment variable,
    its parser, a line of help and its default (or `factory`)."""
    spec = SettingSpec(variable, parse, help, secret, clearable)
    metadata = {"setting": spec}
    if factory is not None:
        return field(default_factory=factory, metadata=metadata)
    return field(default=default, repr=not secret, metadata=metadata)


@dataclass(frozen=True)
class Settings:
    """Everything configurable, validated. Secrets are kept out of `repr`.

    Folders are made absolute once, here: a relative one must not change meaning when
    something changes the working directory later (importing chromadb does, briefly).
    """

    # "" is not "here" for the index folder, so an empty --db is a bad value.
    db_path: Path = _setting(
        "MOVIEMBED_DB", _path, "Index folder", factory=default_db_path, clearable=False
    )
    cache_dir: Path = _setting(
        "MOVIEMBED_CACHE_DIR", _folder, "Derived files", factory=default_cache_dir
    )
    collection: str = _setting(
        "MOVIEMBED_COLLECTION", _name, "ChromaDB collection", DEFAULT_COLLECTION
    )
    model: str | None = _setting("MOVIEMBED_MODEL", _model, "Model for a new index")
    # None: what suits the device (BATCH_SIZES, embedding.devices)
    batch_size: int | None = _setting(
        "MOVIEMBED_BATCH_SIZE", _number(int, 1, 4096), "Texts per model call, 1-4096"
    )
    device: str = _setting(
        "MOVIEMBED_DEVICE", _device, "Encode on auto, cpu, cuda, cuda:N or mps", "auto"
    )
    tmdb_api_key: str | None = _setting("TMDB_API_KEY", _credential, "TMDB v3 key", secret=True)
    tmdb_read_access_token: str | None = _setting(
        "TMDB_READ_ACCESS_TOKEN", _credential, "TMDB v4 token", secret=True
    )
    # URLs are not echoed back: a pasted one may carry a password or a key.
    tmdb_url: str = _setting(
        "MOVIEMBED_TMDB_URL", _http_url, "TMDB API base URL", DEFAULT_TMDB_URL, secret=True
    )
    # A language becomes part of a cache path, so nothing but `xx` or `xx-YY` is accepted.
    tmdb_language: str = _setting("TMDB_LANGUAGE", _language, "TMDB's language", "en-US")
    tmdb_rate: float = _setting(
        "MOVIEMBED_TMDB_RATE",
        _number(float, 0.1, 1000),
        "Most TMDB requests per second, 0.1-1000",
        20.0,
    )
    tmdb_timeout: float = _setting(
        "MOVIEMBED_TMDB_TIMEOUT", _number(float, 0.1, 600), "Seconds per TMDB answer", 10.0
    )
    tmdb_attempts: int = _setting(
        "MOVIEMBED_TMDB_ATTEMPTS", _number(int, 1, 20), "Tries per TMDB request", 5
    )
    # 4 in flight: enough to reach the rate limit across the internet.
    tmdb_connections: int = _setting(
        "MOVIEMBED_TMDB_CONNECTIONS", _number(int, 1, 16), "TMDB requests in flight", 4
    )
    chroma_url: str | None = _setting(
        "MOVIEMBED_CHROMA_URL", _server_url, "Chroma server URL", secret=True
    )
    chroma_token: str | None = _setting(
        "MOVIEMBED_CHROMA_TOKEN", _credential, "Chroma server token", secret=True
    )
    chroma_tenant: str | None = _setting("MOVIEMBED_CHROMA_TENANT", _name, "Chroma tenant")
    chroma_database: str | None = _setting("MOVIEMBED_CHROMA_DATABASE", _name, "Chroma database")
    serve_token: str | None = _setting(
        "MOVIEMBED_SERVE_TOKEN", _credential, "Bearer token of the service", secret=True
    )
    image_base_url: str = _setting(
        "MOVIEMBED_IMAGE_BASE_URL", _image_url, "Poster base URL", DEFAULT_IMAGE_BASE_URL
    )
    allowed_hosts: tuple[str, ...] = _setting(
        "MOVIEMBED_ALLOWED_HOSTS", _host_names, "More Host: names the service answers to", ()
    )

    def __post_init__(self) -> None:
        for name in ("db_path", "cache_dir"):
            object.__setattr__(self, name, _absolute(getattr(self, name)))

    @classmethod
    def load(
        cls,
        env_file: Path | None = None,
        environ: Mapping[str, str] | None = None,
        **overrides: Any,
    ) -> Settings:
        """Resolve every setting from `overrides` (CLI flags), `environ`, then a `.env` file.

        `.env` is read only from the working directory, or from `env_file` when given;
        a missing explicit `env_file` is an error, a missing `./.env` is not. An
        override of None means the flag was not given.
        """
        unknown = set(overrides) - set(SPECS)
        if unknown:
            raise TypeError(f"Settings has no field(s) {', '.join(sorted(unknown))}")
        env = os.environ if environ is None else environ
        file_values = _read_env_file(env_file)
        values: dict[str, Any] = {}
        for name, spec in SPECS.items():
            origin: str | None = None
            if overrides.get(name) is not None:
                if str(overrides[name]) == "" and spec.clearable:
                    continue  # an empty flag clears the setting, e.g. --chroma-url ""
                raw = str(overrides[name])
            elif env.get(spec.variable):
                raw, origin = env[spec.variable], spec.variable
            elif file_values.get(spec.variable):
                raw, origin = file_values[spec.variable], f"{spec.variable} (in .env)"
            else:
                continue
            values[name] = spec.parsed(raw, name, origin)
        return cls(**values)

    @property
    def has_tmdb_credentials(self) -> bool:
        """True when a TMDB key or read access token is configured."""
        return bool(self.tmdb_api_key or self.tmdb_read_access_token)


SPECS: dict[str, SettingSpec] = {item.name: item.metadata["setting"] for item in fields(Settings)}


def default(name: str) -> Any:
    """The declared default of setting `name` (one without a factory)."""
    return Settings.__dataclass_fields__[name].default


def checked(name: str, value: Any) -> Any:
    """`value` for setting `name` through its declared check, for callers that give plain
    values rather than a `Settings`; ConfigError names the setting."""
    return SPECS[name].parsed(str(value), name)


def setting_help(name: str) -> str:
    """The help line of setting `name`, with the variable that sets it, for --help texts."""
    spec = SPECS[name]
    return f"{spec.help} (env {spec.variable})."


def chroma_server_url(raw: str) -> str:
    """A Chroma server URL as `scheme://host:port`, or ConfigError saying what is wrong."""
    return SPECS["chroma_url"].parsed(raw, "chroma_url")


def _read_env_file(env_file: Path | None) -> dict[str, str]:
    from dotenv import dotenv_values
    from dotenv.parser import parse_stream

    path = env_file if env_file is not None else Path.cwd() / ".env"
    if env_file is None and not path.exists():
        return {}
    try:  # one reader for every file we are given: regular files only, size capped, UTF-8
        text = read_user_text(path, "env file", MAX_ENV_FILE_BYTES)
    except InputError as exc:
        raise ConfigError(str(exc)) from None
    bad = next((b.original.line for b in parse_stream(io.StringIO(text)) if b.error), None)
    if bad is not None:  # python-dotenv would skip the line with a warning of its own
        raise ConfigError(
            f"Line {bad} of {path} is not a setting: write NAME=value "
            "(quote a value with spaces, # starts a comment)."
        )
    values = dotenv_values(stream=io.StringIO(text))
    return {key: value for key, value in values.items() if value is not None}
