"""Scoring of extractors against labelled notes (used by ``benchmarks/extraction.py``).

Roles: every labelled person is compared with the predicted person of the same contact
(or name); a person the extractor did not report counts as ``unknown``, and a person it
reported that the labels do not name counts against the role it was given — unless that
role is ``unknown``: a person the labels give no role (e.g. named only in a preference
sentence, which the demo world does not label as a role statement) is correctly
``unknown``, and a non-person taken for a name is harmless as ``unknown``. Per-role
precision, recall and F1 over the seven real roles, their macro average, and the
precision/recall of ``unknown`` plus the invented-role rate (labelled unknown, given a
role). Preferences: per note and category, matched counts (min of labelled and
predicted); value agreement is a fuzzy match (rapidfuzz token-set ratio ≥ 60) of the
values of matched categories.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from rapidfuzz import fuzz

from crm.models import KNOWN_ROLES, PREFERENCE_CATEGORIES, DecisionRole, PreferenceCategory
from knowledge.extract import Extractor, KnownContact


@dataclass(frozen=True)
class GoldPerson:
    """A labelled person: key (contact id or lower-cased name) and labels."""

    key: str
    role: DecisionRole
    stance: str | None = None
    influence: str | None = None


@dataclass(frozen=True)
class GoldNote:
    """A labelled note."""

    note_id: str
    text: str
    contacts: tuple[KnownContact, ...]
    people: tuple[GoldPerson, ...]
    preferences: tuple[tuple[PreferenceCategory, str], ...]


@dataclass
class Score:
    """Counts accumulated over notes."""

    notes: int = 0
    role_tp: Counter[str] = field(default_factory=Counter)
    role_fp: Counter[str] = field(default_factory=Counter)
    role_fn: Counter[str] = field(default_factory=Counter)
    gold_unknown: int = 0
    invented: int = 0
    stance: Counter[bool] = field(default_factory=Counter)
    influence: Counter[bool] = field(default_factory=Counter)
    pref_tp: Counter[str] = field(default_factory=Counter)
    pref_fp: Counter[str] = field(default_factory=Counter)
    pref_fn: Counter[str] = field(default_factory=Counter)
    value_match: Counter[bool] = field(default_factory=Counter)
    seconds: list[float] = field(default_factory=list)

    def f1(self, tp: int, fp: int, fn: int) -> tuple[float, float, float]:
        """Precision, recall and F1 (0 when undefined)."""
        p = tp / (tp + fp) if tp + fp else 0.0
        r = tp / (tp + fn) if tp + fn else 0.0
        return p, r, (2 * p * r / (p + r) if p + r else 0.0)

    def role_prf(self, role: str) -> tuple[float, float, float]:
        """Precision, recall, F1 of one role."""
        return self.f1(self.role_tp[role], self.role_fp[role], self.role_fn[role])

    def macro_role_f1(self) -> float:
        """Macro-averaged F1 over the roles that occur in the labels or predictions."""
        seen = [r for r in KNOWN_ROLES if self.role_tp[r] + self.role_fp[r] + self.role_fn[r]]
        return sum(self.role_prf(r)[2] for r in seen) / len(seen) if seen else 0.0

    def pref_prf(self, category: str | None = None) -> tuple[float, float, float]:
        """Precision, recall, F1 of one category, or micro-averaged over all."""
        keys = [category] if category else list(PREFERENCE_CATEGORIES)
        return self.f1(
            sum(self.pref_tp[k] for k in keys),
            sum(self.pref_fp[k] for k in keys),
            sum(self.pref_fn[k] for k in keys),
        )


def score(notes: Iterable[GoldNote], extractor: Extractor) -> Score:
    """Run ``extractor`` over ``notes`` and count agreements with the labels."""
    result = Score()
    for note in notes:
        start = time.perf_counter()
        extraction = extractor.extract(
            note.text, note_id=note.note_id, known_contacts=note.contacts
        )
        result.seconds.append(time.perf_counter() - start)
        result.notes += 1
        predicted = {(p.contact_id or p.name.lower()): p for p in extraction.contacts}
        _score_roles(result, note.people, predicted)
        _score_preferences(
            result, note.preferences, [(p.category, p.value) for p in extraction.preferences]
        )
    return result


def _score_roles(
    result: Score, gold: Sequence[GoldPerson], predicted: Mapping[str, object]
) -> None:
    gold_keys = {g.key for g in gold}
    for person in gold:
        guess = predicted.get(person.key)
        role = getattr(guess, "role", "unknown")
        if role == person.role:
            result.role_tp[role] += 1
        else:
            result.role_fp[role] += 1
            result.role_fn[person.role] += 1
        if person.role == "unknown":
            result.gold_unknown += 1
            result.invented += role != "unknown"
        if person.stance and guess is not None:
            result.stance[getattr(guess, "stance", None) == person.stance] += 1
        if person.influence and guess is not None:
            result.influence[getattr(guess, "influence", None) == person.influence] += 1
    for key, guess in predicted.items():
        role = getattr(guess, "role", "unknown")
        if key not in gold_keys and role != "unknown":
            result.role_fp[role] += 1


def _score_preferences(
    result: Score, gold: Sequence[tuple[str, str]], predicted: Sequence[tuple[str, str]]
) -> None:
    for category in PREFERENCE_CATEGORIES:
        gold_values = [v for c, v in gold if c == category]
        pred_values = [v for c, v in predicted if c == category]
        tp = min(len(gold_values), len(pred_values))
        result.pref_tp[category] += tp
        result.pref_fp[category] += len(pred_values) - tp
        result.pref_fn[category] += len(gold_values) - tp
        for value in gold_values[:tp]:
            best = max(fuzz.token_set_ratio(value.lower(), p.lower()) for p in pred_values)
            result.value_match[best >= 60] += 1


def report(title: str, s: Score) -> str:
    """A plain-text table of the scores."""
    lines = [f"-- {title}: {s.notes} notes"]
    if not s.notes:
        return lines[0] + " (none)"
    lines.append(f"{'role':<22}{'P':>6}{'R':>6}{'F1':>6}{'support':>9}")
    for role in KNOWN_ROLES:
        p, r, f = s.role_prf(role)
        support = s.role_tp[role] + s.role_fn[role]
        lines.append(f"{role:<22}{p:6.2f}{r:6.2f}{f:6.2f}{support:9d}")
    unk_p, unk_r, _ = s.f1(s.role_tp["unknown"], s.role_fp["unknown"], s.role_fn["unknown"])
    lines.append(f"role macro-F1 {s.macro_role_f1():.3f}")
    lines.append(
        f"unknown precision {unk_p:.3f}  recall {unk_r:.3f}  invented roles "
        f"{s.invented}/{s.gold_unknown}"
    )
    lines.append(f"stance accuracy {_rate(s.stance)}  influence accuracy {_rate(s.influence)}")
    lines.append(f"{'preference':<22}{'P':>6}{'R':>6}{'F1':>6}{'support':>9}")
    for category in PREFERENCE_CATEGORIES:
        p, r, f = s.pref_prf(category)
        support = s.pref_tp[category] + s.pref_fn[category]
        lines.append(f"{category:<22}{p:6.2f}{r:6.2f}{f:6.2f}{support:9d}")
    p, r, f = s.pref_prf()
    lines.append(
        f"preference micro P {p:.3f} R {r:.3f} F1 {f:.3f}; value agreement {_rate(s.value_match)}"
    )
    ms = sorted(x * 1000 for x in s.seconds)
    p95 = ms[int(0.95 * (len(ms) - 1))]
    lines.append(
        f"time per note: mean {sum(ms) / len(ms):.2f} ms, p95 {p95:.2f} ms, max {ms[-1]:.2f} ms"
    )
    return "\n".join(lines)


def _rate(counter: Counter[bool]) -> str:
    total = counter[True] + counter[False]
    return f"{counter[True] / total:.3f} ({counter[True]}/{total})" if total else "n/a"
