"""Reading the files a user names (catalogs, id lists, exports), each failure one clear line."""

from __future__ import annotations

from pathlib import Path

from .errors import CatalogError


def read_user_bytes(path: Path, what: str, max_bytes: int | None = None) -> bytes:
    """The bytes of `path` (described as `what` in messages), or CatalogError saying why not."""
    try:
        if max_bytes is not None and (size := path.stat().st_size) > max_bytes:
            raise CatalogError(
                f"{path.name} is {size / 2**20:.0f} MiB; {what}s are limited to "
                f"{max_bytes // 2**20} MiB. Split it into several files."
            )
        return path.read_bytes()
    except FileNotFoundError:
        raise CatalogError(f"{what.capitalize()} {path} does not exist.") from None
    except IsADirectoryError:
        raise CatalogError(f"{path} is a folder, not a {what}.") from None
    except OSError as exc:
        raise CatalogError(f"Cannot read {path}: {exc.strerror or exc}.") from None


def decode_text(data: bytes, path: Path) -> str:
    """UTF-8 text (a BOM is allowed); binary data or other encodings are refused clearly."""
    if b"\x00" in data:
        raise CatalogError(f"{path.name} is a binary file, not text.")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CatalogError(
            f"{path.name} is not UTF-8 text (bad byte at position {exc.start})."
        ) from None


def read_user_text(path: Path, what: str) -> str:
    """`read_user_bytes` then `decode_text`."""
    return decode_text(read_user_bytes(path, what), path)
