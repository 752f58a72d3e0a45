"""The extraction scorer used by ``python -m benchmarks extraction``."""

from __future__ import annotations

from collections.abc import Sequence

from benchmarks._extraction_metrics import GoldNote, GoldPerson, score
from knowledge.extract import Extraction, KnownContact, PersonRole


class ScriptedExtractor:
    """Returns the same people for every note."""

    name = "scripted"

    def __init__(self, *people: PersonRole) -> None:
        self.people = list(people)

    def extract(
        self,
        text: str,
        *,
        note_id: str | None = None,
        known_contacts: Sequence[KnownContact] = (),
    ) -> Extraction:
        return Extraction(contacts=self.people)


def note(*people: GoldPerson) -> GoldNote:
    return GoldNote("N1", "text", (), people, ())


def test_an_unlabelled_person_reported_as_unknown_is_not_an_error() -> None:
    extractor = ScriptedExtractor(PersonRole(name="Ana", contact_id="C2", role="unknown"))
    result = score([note(GoldPerson("C1", "unknown"))], extractor)
    assert (result.role_tp["unknown"], result.role_fp["unknown"]) == (1, 0)


def test_an_unlabelled_person_given_a_role_counts_against_that_role() -> None:
    extractor = ScriptedExtractor(PersonRole(name="Ana", contact_id="C2", role="blocker"))
    result = score([note(GoldPerson("C1", "unknown"))], extractor)
    assert result.role_fp["blocker"] == 1


def test_a_labelled_person_not_reported_counts_as_a_missed_role() -> None:
    result = score([note(GoldPerson("C1", "champion"))], ScriptedExtractor())
    assert (result.role_fn["champion"], result.role_fp["unknown"]) == (1, 1)


def test_a_role_given_to_a_labelled_unknown_is_an_invented_role() -> None:
    extractor = ScriptedExtractor(PersonRole(name="Ana", contact_id="C1", role="user"))
    result = score([note(GoldPerson("C1", "unknown"))], extractor)
    assert (result.invented, result.gold_unknown) == (1, 1)
