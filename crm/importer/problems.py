"""Problems found in the input, collected in bulk and reported as ``file:line: column: reason``."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

KEEP_AT_MOST = 10_000


@dataclass(frozen=True, order=True)
class Problem:
    """One problem with one value (or one header) of one file."""

    file: str
    line: int
    column: str
    reason: str
    value: str | None = None

    def __str__(self) -> str:
        """``orders.csv:12: amount: not an amount ('12,5')``; line 0 is the whole file."""
        shown = "" if self.value is None else f" ({self.value!r})"
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.column}: {self.reason}{shown}"


@dataclass
class Problems:
    """Every problem of an import: the first ``KEEP_AT_MOST`` kept, all of them counted."""

    kept: list[Problem] = field(default_factory=list)
    total: int = 0

    def add(self, problem: Problem) -> None:
        """Record one problem."""
        self.total += 1
        if len(self.kept) < KEEP_AT_MOST:
            self.kept.append(problem)

    def add_rows(
        self, file: str, column: str, reason: str | pd.Series, lines: pd.Series, values: pd.Series
    ) -> None:
        """Record a problem for every row in ``lines`` (``reason`` is one text or one per row)."""
        self.total += len(lines)
        room = KEEP_AT_MOST - len(self.kept)
        if room <= 0:
            return
        reasons = reason.iloc[:room].tolist() if isinstance(reason, pd.Series) else [reason] * room
        rows = zip(lines.iloc[:room].tolist(), values.iloc[:room].tolist(), reasons, strict=False)
        self.kept.extend(Problem(file, int(n), column, why, str(v)) for n, v, why in rows)

    def sorted(self) -> list[Problem]:
        """The kept problems by file and line."""
        return sorted(self.kept, key=lambda p: (p.file, p.line, p.column))

    def __bool__(self) -> bool:
        """True when any problem was found."""
        return self.total > 0
