"""The package's one error type for bad input and bad options."""

from __future__ import annotations

from collections.abc import Iterable


class ValidationError(ValueError):
    """Bad input or bad options, with every problem found.

    The message names where each problem is (file, row or option), what was expected and
    what was found, so the CLI can print it as is and the app can show it in plain English.

    Parameters
    ----------
    problems
        One line per problem, e.g. ``"incidents.csv: column 'Latitude' is missing"``.

    """

    def __init__(self, problems: str | Iterable[str]) -> None:
        self.problems: list[str] = [problems] if isinstance(problems, str) else list(problems)
        if not self.problems:
            self.problems = ["invalid input"]
        super().__init__("; ".join(self.problems))

    @property
    def first_line(self) -> str:
        """A one-line message (first problem, plus how many more there are)."""
        more = len(self.problems) - 1
        return self.problems[0] + (f" (and {more} more problem(s))" if more else "")
