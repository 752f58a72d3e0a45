"""Write one rep note: pick what it states, phrase it, and record the ground truth."""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from crm.demo import phrases as en
from crm.demo import phrases_zh as zh
from crm.demo.names import ZH_FAMILY

Label = tuple[str, int, str, str | None, str]
"""Ground truth of one statement: (kind, contact row or -1, label, value, sentence)."""

PRONOUNS = {"f": ("she", "her", "her"), "m": ("he", "him", "his")}


@dataclass(frozen=True)
class Person:
    """A contact as notes refer to them."""

    row: int
    full: str
    given: str
    family: str
    title: str
    gender: str
    role: str
    stance: str

    @property
    def family_first(self) -> bool:
        """Chinese and Japanese names put the family name first."""
        return self.full.startswith(self.family + " ")


@dataclass
class NoteSpec:
    """What the writer of one note knows: the account's people, the deal, the language."""

    kind: str
    company: str
    people: list[Person]
    prefs: dict[str, str]
    hidden_dm: bool = False
    chinese: bool = False
    competitor: str | None = None
    budget: str | None = None
    mentioned: set[int] = field(default_factory=set)


class Composer:
    """Turns :class:`NoteSpec` into (subject, body, primary contact row, labels)."""

    def __init__(self, seed: int) -> None:
        """Seed the phrasing choices."""
        self.rng = random.Random(seed)

    def note(self, spec: NoteSpec) -> tuple[str, str, int, list[Label]]:
        """Compose one note of 1-4 sentences."""
        r = self.rng.random()
        sentences: list[str] = []
        labels: list[Label] = []
        if spec.kind == "task":
            kind = "preference" if r < 0.3 else "logistics"
        elif r < 0.38:
            kind = "role"
        elif r < 0.63:
            kind = "preference"
        elif r < 0.75 and (spec.competitor or spec.budget):
            kind = "deal"
        elif r < 0.85:
            kind = "neutral"
        else:
            kind = "logistics"
        writer = getattr(self, f"_{kind}_zh" if spec.chinese else f"_{kind}", self._logistics)
        writer(spec, sentences, labels)
        if len(sentences) < 4 and self.rng.random() < 0.3:
            pool = zh.LOGISTICS_ZH if spec.chinese else en.LOGISTICS
            sentences.append(self.rng.choice([s for s in pool if s not in sentences]))
        body = ("" if spec.chinese else " ").join(sentences)
        primary = next((lab[1] for lab in labels if lab[1] >= 0), -1)
        if primary < 0 and spec.mentioned:
            primary = min(spec.mentioned)
        return self.rng.choice(en.SUBJECTS[spec.kind]), body, primary, labels

    # --- references -------------------------------------------------------------------
    def _mention(self, spec: NoteSpec, person: Person) -> str:
        """Full name on first mention; later the given name, title or Mr/Ms Family."""
        if person.row not in spec.mentioned:
            spec.mentioned.add(person.row)
            return person.full
        if spec.chinese:
            char = ZH_FAMILY.get(person.family, person.family)
            return char + ("总" if person.title in zh.SENIOR_TITLES else "经理")
        if person.family_first:
            return ("Ms. " if person.gender == "f" else "Mr. ") + person.family
        return person.given if self.rng.random() < 0.7 else f"the {person.title}"

    def _fill(self, template: str, spec: NoteSpec, person: Person | None, **extra: str) -> str:
        subj, obj, pos = PRONOUNS[person.gender] if person else ("they", "them", "their")
        p = self._mention(spec, person) if person and "{p}" in template else ""
        text = template.format(p=p, subj=subj, obj=obj, pos=pos, Subj=subj.capitalize(), **extra)
        return text[0].upper() + text[1:]

    def _intro(self, spec: NoteSpec, person: Person, sentences: list[str]) -> None:
        intros = zh.INTROS_ZH if spec.chinese else en.INTROS
        template = self.rng.choice(intros)
        spec.mentioned.add(person.row)
        sentences.append(
            template.format(full=person.full, title=person.title, company=spec.company)
        )

    def _speakers(self, spec: NoteSpec) -> list[Person]:
        """People whose role the notes may state (never a hidden decision maker)."""
        if not spec.hidden_dm:
            return spec.people
        return [p for p in spec.people if p.role != "decision_maker"]

    # --- English notes ----------------------------------------------------------------
    def _role(self, spec: NoteSpec, sentences: list[str], labels: list[Label]) -> None:
        people = self._speakers(spec)
        if not people:
            self._logistics(spec, sentences, labels)
            return
        if (
            len(people) >= 2
            and self.rng.random() < 0.25
            and self._pair(spec, people, sentences, labels)
        ):
            return
        person = self.rng.choice(people)
        if self.rng.random() < 0.5:
            self._intro(spec, person, sentences)
        sentence = self._fill(self.rng.choice(en.ROLE_SENTENCES[person.role]), spec, person)
        sentences.append(sentence)
        labels.append(("role", person.row, person.role, None, sentence))
        if self.rng.random() < 0.35:
            self._stance(spec, person, sentences, labels)

    def _pair(
        self, spec: NoteSpec, people: list[Person], sentences: list[str], labels: list[Label]
    ) -> bool:
        by_role: dict[str, Person] = {}
        for person in people:
            by_role.setdefault(person.role, person)
        pairs = [k for k in en.PAIR_SENTENCES if k[0] in by_role and k[1] in by_role]
        if not pairs:
            return False
        role_a, role_b = self.rng.choice(pairs)
        a, b = by_role[role_a], by_role[role_b]
        template = self.rng.choice(en.PAIR_SENTENCES[(role_a, role_b)])
        sentence = template.format(a=self._mention(spec, a), b=self._mention(spec, b))
        sentences.append(sentence)
        labels.append(("role", a.row, a.role, None, sentence))
        labels.append(("role", b.row, b.role, None, sentence))
        return True

    def _stance(
        self, spec: NoteSpec, person: Person, sentences: list[str], labels: list[Label]
    ) -> None:
        sentence = self._fill(self.rng.choice(en.STANCE_SENTENCES[person.stance]), spec, person)
        sentences.append(sentence)
        labels.append(("stance", person.row, person.stance, None, sentence))

    def _preference(self, spec: NoteSpec, sentences: list[str], labels: list[Label]) -> None:
        categories = self.rng.sample(list(en.PREFERENCE_SENTENCES), 2)
        for category in categories[: 2 if self.rng.random() < 0.3 else 1]:
            templates = en.PREFERENCE_SENTENCES[category]
            if not spec.people:
                templates = tuple(t for t in templates if "{p}" not in t) or templates[:1]
            template = self.rng.choice(templates)
            person = self.rng.choice(spec.people) if spec.people and "{p}" in template else None
            value = self._value(spec, category, person)
            surface = self.rng.choice(en.PREFERENCES[category][value])
            if person and not sentences and self.rng.random() < 0.3:
                self._intro(spec, person, sentences)
            sentence = self._fill(template, spec, person, v=surface)
            sentences.append(sentence)
            labels.append(("preference", person.row if person else -1, category, value, sentence))

    def _value(self, spec: NoteSpec, category: str, person: Person | None) -> str:
        """The account's value for a category (communication is per person)."""
        if category == "communication" and person and spec.prefs[category] != "prefers WeChat":
            options = [v for v in en.PREFERENCES[category] if v != "prefers WeChat"]
            return options[person.row % len(options)]
        return spec.prefs[category]

    def _deal(self, spec: NoteSpec, sentences: list[str], labels: list[Label]) -> None:
        if spec.competitor and self.rng.random() < 0.7:
            sentence = self.rng.choice(en.COMPETITOR_SENTENCES).format(c=spec.competitor)
            sentences.append(sentence)
            labels.append(("competitor", -1, spec.competitor, None, sentence))
        if spec.budget:
            sentence = self.rng.choice(en.BUDGET_SENTENCES[spec.budget])
            sentences.append(sentence)
            labels.append(("budget", -1, spec.budget, None, sentence))
        if not sentences:
            self._logistics(spec, sentences, labels)

    def _neutral(self, spec: NoteSpec, sentences: list[str], labels: list[Label]) -> None:
        pool = zh.NEUTRAL_MENTIONS_ZH if spec.chinese else en.NEUTRAL_MENTIONS
        people = self.rng.sample(spec.people, min(len(spec.people), self.rng.randint(1, 2)))
        for person, template in zip(people, self.rng.sample(pool, len(people)), strict=True):
            sentence = self._fill(template, spec, person)
            sentences.append(sentence)
            labels.append(("role", person.row, "unknown", None, sentence))
        if not sentences:
            self._logistics(spec, sentences, labels)

    def _logistics(self, spec: NoteSpec, sentences: list[str], labels: list[Label]) -> None:
        pool = zh.LOGISTICS_ZH if spec.chinese else en.LOGISTICS
        sentences.extend(self.rng.sample(pool, self.rng.randint(1, 2)))

    # --- Chinese notes ----------------------------------------------------------------
    def _role_zh(self, spec: NoteSpec, sentences: list[str], labels: list[Label]) -> None:
        people = self._speakers(spec)
        if not people:
            self._logistics(spec, sentences, labels)
            return
        person = self.rng.choice(people)
        if self.rng.random() < 0.5:
            self._intro(spec, person, sentences)
        sentence = self._fill(self.rng.choice(zh.ROLE_SENTENCES_ZH[person.role]), spec, person)
        sentences.append(sentence)
        labels.append(("role", person.row, person.role, None, sentence))

    def _preference_zh(self, spec: NoteSpec, sentences: list[str], labels: list[Label]) -> None:
        category = self.rng.choice(list(zh.PREFERENCES_ZH))
        value = spec.prefs[category]
        options = [t for v, t in zh.PREFERENCES_ZH[category] if v == value]
        template = options[0] if options else zh.PREFERENCES_ZH[category][0][1]
        value = value if options else zh.PREFERENCES_ZH[category][0][0]
        person = self.rng.choice(spec.people) if spec.people and "{p}" in template else None
        sentence = self._fill(template, spec, person)
        sentences.append(sentence)
        labels.append(("preference", person.row if person else -1, category, value, sentence))

    _neutral_zh = _neutral
    _logistics_zh = _logistics
    _deal_zh = _logistics
