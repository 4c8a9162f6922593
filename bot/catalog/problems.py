"""What a content check reports: one `Problem` per thing wrong, each naming its file and field."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with a content pack.

    `file` is relative to the pack's root (``stretches/knee-hugs.yaml``) so a report reads the
    same wherever the pack lives; `field` is a dotted path into that file (``steps[2]``,
    ``conditions[0].label``) or ``(file)`` when the whole file is at fault. Warnings (e.g. a
    narrow picture) are reported but don't stop the bot.
    """

    file: str
    field: str
    message: str
    severity: Severity = "error"

    @property
    def is_error(self) -> bool:
        return self.severity == "error"

    def __str__(self) -> str:
        suffix = " (warning)" if self.severity == "warning" else ""
        return f"{self.file}: {self.field}: {self.message}{suffix}"


WHOLE_FILE = "(file)"


def format_problems(problems: Iterable[Problem]) -> str:
    """Every problem on its own line, as `file: field: message`, in a stable order."""
    return "\n".join(str(problem) for problem in sort_problems(problems))


def sort_problems(problems: Iterable[Problem]) -> list[Problem]:
    # Errors before warnings, then by file: the operator fixes errors first, file by file.
    return sorted(problems, key=lambda p: (p.severity != "error", p.file, p.field, p.message))


def errors_in(problems: Iterable[Problem]) -> list[Problem]:
    return [problem for problem in problems if problem.is_error]


class ContentError(Exception):
    """The pack cannot be served: `problems` holds every problem found, not just the first."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems: tuple[Problem, ...] = tuple(sort_problems(problems))
        count = len(errors_in(self.problems))
        super().__init__(
            f"the content pack has {count} problem{'s' if count != 1 else ''}:\n"
            + format_problems(self.problems)
        )
