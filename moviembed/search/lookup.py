"""What query understanding asks of the index: titles, people, the newest year.

Answered from the keyword index (SQLite FTS5, a fraction of a millisecond a lookup), so
reading a request costs no Chroma round trip; without a keyword index (it could not be
built) titles come from Chroma and people are not recognised.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from moviembed.documents import fold
from moviembed.index.keywords import KeywordIndex
from moviembed.index.reader import IndexReader
from moviembed.search.understanding import Person, Reference

MAX_FILMS = 400  # a person's films looked at; more than anyone in the index has
_HEADING_YEAR = re.compile(r"\((\d{4})\)$")
_ROLES = {"director": ("Director",), "cast": ("Cast",), "any": ("Director", "Cast")}


class IndexLookup:
    """A `Catalog` (search/understand.py) over one index and its keyword index."""

    def __init__(self, store: IndexReader, keywords: KeywordIndex | None) -> None:
        self.store = store
        self.keywords = keywords

    def newest_year(self) -> int | None:
        return self.keywords.newest_year() if self.keywords else None

    def titles(self, key: str) -> list[Reference]:
        if not key:
            return []
        if self.keywords is None:
            return [
                Reference(
                    hit["id"],
                    hit["metadata"]["title"],
                    hit["metadata"].get("year"),
                    tuple(hit["metadata"].get("genre_list") or ()),
                )
                for hit in self.store.find_by_title(key)
            ]
        return self._titled(key, lambda folded: folded == key)

    def series(self, key: str) -> list[Reference]:
        if self.keywords is None or not key:
            return []
        return self._titled(key, lambda folded: folded.startswith(key + " "))

    def _titled(self, key: str, wanted: Callable[[str], bool]) -> list[Reference]:
        """The keyword index's films with `key`'s words in their title, whose folded title
        is `wanted`."""
        assert self.keywords is not None
        return [
            Reference(movie_id, title, _year(body), tuple(_labelled(body, ("Genres",))))
            for movie_id, title, body in self.keywords.containing("title", [key], 50)
            if wanted(fold(title))
        ]

    def reads_as_title(self, tokens: Sequence[str]) -> bool:
        """The request's words are a stored title's, give or take "the" and one more word
        ("big short"); "a scary movie" asks for one, "scary movie" names one."""
        wanted = [token for token in tokens if token != "the"]
        if not wanted or self.keywords is None:
            return bool(wanted) and bool(self.titles(" ".join(tokens)))
        for _, title, _ in self.keywords.containing("title", wanted, 50):
            have = [word for word in fold(title).split() if word != "the"]
            if not set(wanted) <= set(have) or len(have) > len(wanted) + 1:
                continue
            if len(wanted) > 1 or len(have) == 1 or tokens[0] == "the":
                return True
        return False

    def person(self, name_key: str, role: str) -> Person | None:
        if self.keywords is None:
            return None
        rows = self.keywords.containing("body", [name_key], MAX_FILMS)
        name, ids = None, set()
        for movie_id, _, body in rows:
            for credited in _labelled(body, _ROLES[role]):
                if fold(credited) == name_key:
                    name = name or credited
                    ids.add(movie_id)
        return Person(name, role, frozenset(ids)) if name else None

    def director_surname(self, word: str) -> Person | None:
        """The one director called `word` by surname, if the word rarely means anything
        else in the index (it names that director in at least a third of its documents)."""
        if self.keywords is None:
            return None
        rows = self.keywords.containing("body", [word], MAX_FILMS)
        directors: dict[str, set[str]] = {}
        for movie_id, _, body in rows:
            for name in _labelled(body, ("Director",)):
                if fold(name).split()[-1:] == [word]:
                    directors.setdefault(name, set()).add(movie_id)
        if len(directors) != 1:
            return None
        ((name, ids),) = directors.items()
        if len(ids) * 3 < len(rows):
            return None
        return Person(name, "director", frozenset(ids))


def _labelled(document: str, labels: Sequence[str]) -> list[str]:
    """The values on a document's lines labelled `labels` (`Director:`, `Cast:`, `Genres:`)."""
    names = []
    for line in document.splitlines():
        label, _, rest = line.partition(": ")
        if label in labels:
            names += [name.strip() for name in rest.split(",") if name.strip()]
    return names


def _year(document: str) -> int | None:
    match = _HEADING_YEAR.search(document.split("\n", 1)[0])
    return int(match[1]) if match else None
