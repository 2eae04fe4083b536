"""`python -m tests.fake_cli ARGS`: the moviembed CLI in a real process, with the stand-in
model of tests/fakes.py, for tests that drive a long-running command (e.g. `mcp`) quickly."""

from __future__ import annotations

import sys

import pytest

from moviembed.cli import main
from tests import fakes

if __name__ == "__main__":
    fakes.install(pytest.MonkeyPatch(), fakes.HashingEmbedder())
    sys.argv[0] = "moviembed"
    main()
