"""The `moviembed` command line: parse, call the library, print.

Kept importable as `moviembed.cli:main`, the console script's entry point."""

from moviembed.cli.app import app, main

__all__ = ["app", "main"]
