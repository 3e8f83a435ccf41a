"""Errors a user can act on; the CLI prints them without a traceback."""
from __future__ import annotations


class DlkgError(Exception):
    """Base class of every error dlkg reports to users."""


class InputError(DlkgError):
    """A record of the input cannot be read; names the file and line so the user can fix it."""

    def __init__(self, path: str, line: int | None, message: str):
        self.path, self.line, self.message = path, line, message
        where = f"{path}:{line}" if line else path
        super().__init__(f"{where}: {message}")


class NothingBuilt(DlkgError):
    """The inputs gave no paper: an error, not an empty KG. Carries the problems that explain why."""

    def __init__(self, problems: list[InputError]):
        self.problems = problems
        super().__init__("the inputs gave no paper; nothing was written" + ("" if problems else " (no input records)"))


class NoPapers(DlkgError):
    """A KG that a command reads holds no paper: said, not answered with empty tables."""


class QueryError(DlkgError):
    """A saved query is missing, malformed or given bad parameters."""


class StoreError(DlkgError):
    """A SPARQL endpoint could not be reached or refused a request."""
