"""The knobs of a demo world: scale, seed and analysis date, plus seeded random streams."""

from __future__ import annotations

import datetime as dt
import zlib
from dataclasses import dataclass

import numpy as np

Columns = dict[str, np.ndarray]
"""A table under construction: column name -> array of equal length (columns starting
with ``_`` are generator-private and never written)."""

DAY = np.timedelta64(1, "D")


@dataclass(frozen=True)
class DemoConfig:
    """What to generate: ``scale`` 1 is ~200 accounts; everything is dated relative to ``as_of``.

    Attributes:
        as_of: The world's "today": nothing is dated after it.
        scale: Multiplies every entity count (0.2 for quick tests, 500 for ~100k accounts).
        seed: Seed of every random stream; same seed + as_of gives identical tables.
        years: History length.
    """

    as_of: dt.date
    scale: float = 1.0
    seed: int = 7
    years: int = 3

    def count(self, base: float, minimum: int = 1) -> int:
        """``base`` scaled and rounded, at least ``minimum``."""
        return max(minimum, round(base * self.scale))

    def rng(self, stream: str) -> np.random.Generator:
        """An independent generator per named stream, so one part never shifts another."""
        return np.random.default_rng([self.seed, zlib.crc32(stream.encode())])

    @property
    def today(self) -> np.datetime64:
        """``as_of`` as a numpy day."""
        return np.datetime64(self.as_of, "D")

    @property
    def start(self) -> np.datetime64:
        """The first day of history (``years`` before ``as_of``)."""
        return self.today - np.timedelta64(365 * self.years + self.years // 4, "D")

    @property
    def end(self) -> np.datetime64:
        """The first instant after ``as_of`` (seconds): every timestamp is before it."""
        end: np.datetime64 = (self.today + DAY).astype("datetime64[s]")
        return end

    @property
    def history_days(self) -> int:
        """Days from ``start`` to ``as_of`` inclusive."""
        return int((self.today - self.start) / DAY) + 1


def work_time(rng: np.random.Generator, days: np.ndarray) -> np.ndarray:
    """Timestamps (seconds) on the given days, during office hours (08:00-18:00 UTC)."""
    seconds = rng.integers(8 * 3600, 18 * 3600, size=len(days))
    stamps: np.ndarray = days.astype("datetime64[D]").astype("datetime64[s]")
    stamps += seconds.astype("timedelta64[s]")
    return stamps


def or_none(mask: np.ndarray, values: np.ndarray) -> np.ndarray:
    """``values`` where ``mask`` holds and ``None`` elsewhere (an object array)."""
    out = np.full(len(mask), None, dtype=object)
    out[mask] = np.asarray(values, dtype=object)[mask]
    return out


def whole_days(delta: np.ndarray) -> np.ndarray:
    """Time differences as whole days (floored)."""
    days: np.ndarray = delta.astype("timedelta64[D]").astype(np.int64)
    return days


def ids(prefix: str, n: int, start: int = 1) -> np.ndarray:
    """Readable sequential ids: ``ids("ACC", 3)`` -> ACC-00001, ACC-00002, ACC-00003."""
    width = max(5, len(str(start + n)))
    return np.array([f"{prefix}-{i:0{width}d}" for i in range(start, start + n)], dtype=object)
