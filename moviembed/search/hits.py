"""Result types beyond `SearchHit`, and every result's lossless wire form.

Kept apart from `recommend` (which needs numpy) so that printing results, and reading
them back from a running `moviembed serve`, stays light. The wire form keeps every
field unrounded, unlike `to_dict`, so a table printed from a service's answer is the
table the local index would give.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from moviembed.search.query import SearchHit, SearchResults
from moviembed.search.ranking import Explanation
from moviembed.search.understanding import Understanding


@dataclass(frozen=True)
class Because:
    """The liked movie a pick is closest to; `document` feeds prompt-ready context only.
    `id` is TMDB's integer, as in `SearchHit`."""

    id: int
    title: str
    similarity: float
    document: str = field(default="", repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "id", int(self.id))

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "title": self.title, "similarity": round(self.similarity, 4)}


@dataclass(frozen=True)
class Recommendation(SearchHit):
    """A ranked pick: `similarity` is to the taste vector, `because` names the reason."""

    because: Because = field(kw_only=True)

    def to_dict(self) -> dict[str, Any]:
        """The `--json` item of search results, plus `because`."""
        return {**super().to_dict(), "because": self.because.to_dict()}


def results_to_wire(hits: Sequence[SearchHit]) -> dict[str, Any]:
    """A command's results as the service sends them to the CLI: what the results carry
    besides their hits (what a search understood) goes here too, so the CLI prints what it
    would have found itself."""
    wire: dict[str, Any] = {"results": [to_wire(hit) for hit in hits]}
    if isinstance(hits, SearchResults):
        wire["understood"] = hits.understood.to_wire()
    return wire


def results_from_wire(data: dict[str, Any]) -> list[SearchHit]:
    """The results `results_to_wire` gave; KeyError, TypeError or AttributeError if `data`
    is not such (a service of another version)."""
    hits = [from_wire(item) for item in data["results"]]
    if "understood" in data:
        return SearchResults(hits, Understanding.from_wire(data["understood"]))
    return hits


def to_wire(hit: SearchHit) -> dict[str, Any]:
    """Every field of `hit` as JSON-ready values, floats unrounded (JSON keeps them exact)."""
    return asdict(hit)


def from_wire(data: dict[str, Any]) -> SearchHit:
    """The hit `to_wire` gave; a KeyError or TypeError if `data` is not one."""
    fields = dict(data)
    if fields.get("explanation") is not None:
        fields["explanation"] = Explanation(**fields["explanation"])
    if "because" in fields:
        return Recommendation(**fields | {"because": Because(**fields["because"])})
    return SearchHit(**fields)
