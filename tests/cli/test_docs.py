"""README, .env.example, --help and CI tell one story."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.main import get_command
from typer.testing import CliRunner

from moviembed.cli.app import app
from moviembed.config import SPECS, default

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")
CONFIGURATION = (ROOT / "docs" / "configuration.md").read_text(encoding="utf-8")
COMMANDS = sorted(get_command(app).commands)  # type: ignore[attr-defined]


def fenced_blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", README, flags=re.DOTALL)


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help_and_a_readme_section(command: str, runner: CliRunner) -> None:
    result = runner.invoke(app, [command, "--help"])
    assert result.exit_code == 0
    assert "Example" in result.stdout
    assert f"### `moviembed {command}" in README


def test_quick_start_and_test_commands_are_what_ci_runs() -> None:
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    quick_start, tests = fenced_blocks("bash")[:2]
    for line in (quick_start + tests).strip().splitlines():
        assert line in ci


def test_every_setting_is_documented_with_its_default() -> None:
    """Each setting is declared once (`config.Settings`): .env.example and the configuration
    table show its variable, and its default where it has a plain one."""
    example = (ROOT / ".env.example").read_text(encoding="utf-8")
    rows = [line for line in CONFIGURATION.splitlines() if line.startswith("|")]
    for name, spec in SPECS.items():
        assert f"# {spec.variable}=" in example, spec.variable
        [row] = [line for line in rows if f"`{spec.variable}`" in line]
        value = default(name)
        if isinstance(value, (str, int, float)):
            shown = f"{value:g}" if isinstance(value, float) else str(value)
            assert f"# {spec.variable}={shown}\n" in example, spec.variable
            assert f"`{shown}`" in row, spec.variable
    assert "(docs/configuration.md)" in README
