"""The errors lyncposter reports to its users: one line each, never a traceback."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from .location import Location


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with the data, at the place it is wrong, and the rule it breaks."""

    location: Location
    message: str
    rule: str = "DATA"
    severity: str = "error"

    def __str__(self) -> str:
        return f"{self.location}: {self.message}"

    @property
    def finding(self) -> str:
        """The `lyncposter check` form: `file:line:column: error [RULE] message`."""
        return f"{self.location}: {self.severity} [{self.rule}] {self.message}"

    def as_dict(self) -> dict[str, object]:
        return {
            "file": self.location.file,
            "line": self.location.line,
            "column": self.location.column,
            "severity": self.severity,
            "rule": self.rule,
            "message": self.message,
        }


class LyncposterError(Exception):
    """Base of every error the CLI turns into a message and a non-zero exit."""

    exit_code = 1

    def report(self) -> str:
        """What the command line prints: one line per problem."""
        return f"lyncposter: {self}"


class DataError(LyncposterError):
    """The data directory has one or more problems; all of them are listed."""

    def __init__(self, problems: Iterable[Problem]):
        self.problems = sorted(set(problems))
        super().__init__("\n".join(str(p) for p in self.problems))

    def report(self) -> str:
        return str(self)  # every line already starts with file:line:column


class UsageError(LyncposterError):
    """The command line asked for something that does not exist or cannot be done."""

    exit_code = 2


class RenderError(LyncposterError):
    """Graphviz is missing or failed."""


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """` (did you mean 'x'?)` for the closest choice, or nothing."""
    import difflib

    close = difflib.get_close_matches(str(word), list(choices), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""
