"""The package's layers, checked from the source: each imports only the layers below it."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "moviembed"

# Higher layers may import lower ones; sources and embedding sit side by side and stay apart,
# and so do the two servers, serve (HTTP API and page) and mcp_server (Model Context Protocol).
RANKS = {
    "ground": 0,
    "sources": 1,
    "embedding": 1,
    "index": 2,
    "search": 3,
    "serve": 4,
    "mcp_server": 4,
    "cli": 5,
}


def layer_of(module: str) -> str:
    """`moviembed.index.store` -> "index"; modules directly in the package are the ground floor,
    except `python -m moviembed`, which is the command line."""
    if module == "moviembed.__main__":
        return "cli"
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[1] in RANKS else "ground"


def module_name(path: Path) -> str:
    relative = path.relative_to(PACKAGE.parent).with_suffix("")
    parts = [part for part in relative.parts if part != "__init__"]
    return ".".join(parts)


def imports(path: Path, top_level_only: bool = False) -> list[str]:
    """Every `moviembed...` module that `path` imports (anywhere, or at module level)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    nodes = tree.body if top_level_only else list(ast.walk(tree))
    found = []
    for node in nodes:
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [f"{node.module}.{alias.name}" for alias in node.names]
            found += [node.module, *[name for name in names if name.count(".") >= 2]]
        elif isinstance(node, ast.Import):
            found += [alias.name for alias in node.names]
    return [name for name in found if name.startswith("moviembed.")]


SOURCES = sorted(PACKAGE.rglob("*.py"))


def upward(path: Path, module: str) -> list[str]:
    """The imports of `path` (module `module`) that reach its own rank or above."""
    own = layer_of(module)
    return [
        target
        for target in imports(path)
        if (other := layer_of(target)) != own and RANKS[other] >= RANKS[own]
    ]


@pytest.mark.parametrize("path", SOURCES, ids=lambda path: module_name(path))
def test_a_module_imports_only_its_own_layer_and_those_below(path: Path) -> None:
    assert upward(path, module_name(path)) == []


def test_the_cli_never_imports_a_model_runtime_at_module_level() -> None:
    for path in (PACKAGE / "cli").rglob("*.py"):
        heavy = [
            name for name in imports(path, top_level_only=True) if layer_of(name) == "embedding"
        ]
        assert not heavy, f"{path.name} imports {heavy} at module level"


def test_only_config_reads_the_environment() -> None:
    readers = [
        module_name(path)
        for path in SOURCES
        if path.name != "config.py"
        and any(word in path.read_text(encoding="utf-8") for word in ("os.environ", "getenv("))
    ]
    assert readers == []


def test_the_layer_rule_catches_upward_and_sideways_imports(tmp_path: Path) -> None:
    made_up = tmp_path / "made_up.py"
    made_up.write_text(
        "from moviembed.errors import StoreError\n"
        "def later():\n"
        "    from moviembed.index.store import EmbeddingStore\n"
        "    import moviembed.embedding.backends\n"
    )
    assert upward(made_up, "moviembed.sources.made_up") == [
        "moviembed.index.store",
        "moviembed.index.store.EmbeddingStore",
        "moviembed.embedding.backends",
    ]
    assert upward(made_up, "moviembed.search.made_up") == []


def test_the_two_servers_stay_apart(tmp_path: Path) -> None:
    made_up = tmp_path / "made_up.py"
    made_up.write_text("from moviembed.serve.app import create_app\n")
    assert upward(made_up, "moviembed.mcp_server.made_up") == [
        "moviembed.serve.app",
        "moviembed.serve.app.create_app",
    ]
