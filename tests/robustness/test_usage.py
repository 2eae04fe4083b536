"""Usage errors: every bad option value, missing argument or unknown name is one line, exit 2."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from .conftest import Case, params

HELP = "See 'moviembed"


def usage(name: str, argv: list[str], message: str = HELP) -> Case:
    return Case(name, argv, 2, message)


CASES = [
    usage("query -n 0", ["query", "x", "-n", "0"], "Invalid value for '--limit'"),
    usage("query -n -3", ["query", "x", "-n", "-3"]),
    usage("query -n abc", ["query", "x", "-n", "abc"], "See 'moviembed query --help'."),
    usage("query -n 1.5", ["query", "x", "-n", "1.5"]),
    usage("query -n 100000", ["query", "x", "-n", "100000"]),
    usage("query -n empty", ["query", "x", "-n", ""]),
    usage("query --format xml", ["query", "x", "--format", "xml"], "'xml' is not one of"),
    usage("query --mode bogus", ["query", "x", "--mode", "bogus"], "'bogus' is not one of"),
    usage("query without text", ["query"], "Missing argument"),
    usage("query --limit missing value", ["query", "x", "--limit"], "requires an argument"),
    usage("query --json with --format", ["query", "x", "--json", "--format", "context"], "ask for"),
    usage("query empty", ["query", ""], "The query is empty"),
    usage("query blank", ["query", " \t\n "], "The query is empty"),
    usage("query 10,000 chars", ["query", "a" * 10_000], "characters long"),
    usage("query lone surrogate", ["query", "caf\udce9"], "not valid UTF-8"),
    usage("query --year abc", ["query", "x", "--year", "abc"], "--year"),
    usage("query --year 3000..1000", ["query", "x", "--year", "3000..1000"], "--year"),
    usage("query --language xyz1", ["query", "x", "--language", "xyz1"], "--language"),
    usage("query --genre bogus", ["query", "x", "--genre", "Bogus"], "Bogus"),
    usage("similar without movie", ["similar"], "Missing argument"),
    usage("similar empty", ["similar", ""], "is empty"),
    usage("similar -n 0", ["similar", "603", "-n", "0"]),
    usage("similar --format xml", ["similar", "603", "--format", "xml"]),
    usage("similar huge id", ["similar", "99999999999999999999"], "TMDB ids"),
    usage("inspect empty", ["inspect", ""], "names no movie"),
    usage("inspect control chars", ["inspect", "\x1b[31m"], "names no movie"),
    usage("remove without argument", ["remove"], "Missing argument 'ID|TITLE...'"),
    usage("remove empty", ["remove", ""], "names no movie"),
    usage("remove blank", ["remove", "  "], "names no movie"),
    usage("remove punctuation only", ["remove", "!!!"], "names no movie"),
    usage("remove huge id", ["remove", "1" * 40], "TMDB ids"),
    usage("build --id abc", ["build", "--id", "abc"], "Invalid value for '--id'"),
    usage("build --id 0", ["build", "--id", "0"]),
    usage("build --id -1", ["build", "--id", "-1"]),
    usage("build --id 1e30", ["build", "--id", "1e30"]),
    usage("build --id 10**32", ["build", "--id", str(10**32)]),
    usage("build --tmdb-list bogus", ["build", "--tmdb-list", "bogus"], "'bogus' is not one of"),
    usage("build --limit without list", ["build", "--limit", "5"], "--limit goes with"),
    usage("build --limit 0", ["build", "--tmdb-list", "popular", "--limit", "0"]),
    usage("build --batch-size 0", ["build", "--batch-size", "0"], "--batch-size must be"),
    usage("build --batch-size 5000", ["build", "--batch-size", "5000"], "--batch-size must be"),
    usage("build --batch-size x", ["build", "--batch-size", "x"]),
    usage("build --rate 0", ["build", "--rate", "0"], "--rate must be"),
    usage("build --rate -1", ["build", "--rate", "-1"], "--rate must be"),
    usage("build --rate nan", ["build", "--rate", "nan"], "--rate must be"),
    usage("build --rate inf", ["build", "--rate", "inf"], "--rate must be"),
    usage("build --rate 1e-300", ["build", "--rate", "1e-300"], "--rate must be"),
    usage("build --rate 1e300", ["build", "--rate", "1e300"], "--rate must be"),
    usage("build --rate abc", ["build", "--rate", "abc"]),
    usage("build two sources", ["build", "--id", "1", "--tmdb-list", "popular"], "one source"),
    usage("build --prune without --yes", ["build", "--prune"], "--prune asks"),
    usage("export without file", ["export"], "Missing argument"),
    usage("import without file", ["import"], "Missing argument"),
    usage("unknown command", ["bogus"], "No such command"),
    usage("unknown global option", ["--bogus", "count"], "No such option: --bogus"),
    usage("unknown command option", ["count", "--bogus"], "See 'moviembed count --help'."),
    usage("--verbose with a value", ["--verbose=3", "count"]),
    usage("--db without value", ["count", "--db"]),
    usage("extra argument", ["count", "extra"], "unexpected extra argument"),
]


@pytest.mark.parametrize("case", params(CASES))
def test_usage_errors_are_one_line(check_refused: Callable[[Case], None], case: Case) -> None:
    check_refused(case)
