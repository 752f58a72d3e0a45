"""Person detection in a note and linking to the account's known contacts.

Known contacts are found first, by full name, first name or surname, and title
("the CFO" → the contact whose title is CFO; Chinese surname + honorific such as 赵总).
A first name, surname or title shared by several contacts of the account refers to the
one of them the note has already named, most recently first (the usual way notes
shorten a name after introducing it); before any of them is named it refers to nobody.
Unknown people are found by a capitalised-name heuristic (two or more title-case words,
none of them a common non-name word), and their first names and surnames are then
recognised later in the note; in Chinese, a common surname followed by an honorific
(赵总, 王经理) is a person even when not a known contact. Subject pronouns (he, she,
他, 她) resolve to the last person named before them.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from knowledge.extract.types import KnownContact

_CJK = re.compile(r"[\u4e00-\u9fff]")
_HONORIFICS = (
    *("总经理", "总监", "经理", "主管", "老师", "先生"),
    *("女士", "老板", "总", "工", "姐", "哥"),
)
_ZH_SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
    "姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
_ZH_TITLED = re.compile(rf"[{_ZH_SURNAMES}](?:{'|'.join(_HONORIFICS)})")
_TITLE_SYNONYMS = {
    "ceo": ("chief executive", "chief executive officer"),
    "cfo": ("chief financial officer",),
    "cto": ("chief technology officer", "chief technical officer"),
    "coo": ("chief operating officer",),
    "cio": ("chief information officer",),
}
_CAPITALISED = re.compile(r"\b[A-Z][a-z]+(?:[ -][A-Z][a-z]+)+\b")
_NOT_NAMES = frozenset(
    re.findall(
        r"\w+",
        """
        monday tuesday wednesday thursday friday saturday sunday january february march april
        may june july august september october november december microsoft google amazon teams
        slack zoom salesforce office outlook excel power sales ops head customer support
        success marketing finance legal operations security board team group new san los hong
        kong north south east west united states kingdom europe asia the their our we they
        please met spoke call lunch quick demo follow good had no data sent
        manager director officer engineer analyst assistant president chief vp head lead
        coordinator specialist counsel consultant procurement purchasing managing executive
        inc ltd llc gmbh ag sa bv plc corp group systems analytics software solutions labs
        technologies logistics holdings partners capital foods retail insurance dining
""",
    )
)
_PRONOUN = re.compile(r"\b(?:he|she)\b|[他她](?!们)", re.IGNORECASE)
_OWN_WORDS = re.compile(
    r"^(?:'s|’s|的)\s*(?:\w+\s+){0,2}?(?:team|staff|agents|reps|analysts|people|guys|"
    r"department|opinion|view|word|voice|say|signature|sign-off|approval|advice|recommendation|"
    r"input|support|团队|同事|部门|意见|建议|签字|审批)",
    re.IGNORECASE,
)
_POSSESSIVE = re.compile(r"^(?:'s|’s|的)")


@dataclass(frozen=True)
class Person:
    """A person a note refers to: a known contact or a name found in the text."""

    key: str
    name: str
    contact_id: str | None


@dataclass(frozen=True)
class Mention:
    """One reference to a person in a sentence (character offsets within the sentence)."""

    start: int
    end: int
    person: Person
    target: bool
    pronoun: bool = False


class NameIndex:
    """The names, titles and aliases by which people can be referred to in one note."""

    def __init__(self, contacts: Sequence[KnownContact], text: str) -> None:
        self._aliases: dict[str, Person] = {}
        self._folded: dict[str, Person] = {}
        self._shared: dict[str, list[Person]] = {}
        self._shared_folded: dict[str, list[Person]] = {}
        people = [Person(c.id, c.name, c.id) for c in contacts]
        for contact, person in zip(contacts, people, strict=True):
            self._add_known(contact, person, contacts)
        for match in _CAPITALISED.finditer(text):
            self._add_discovered(match.group(0))
        for match in _ZH_TITLED.finditer(text):
            self._aliases.setdefault(match.group(0), Person(match.group(0), match.group(0), None))
        self._pattern = self._compile()

    def _add_known(
        self, contact: KnownContact, person: Person, contacts: Sequence[KnownContact]
    ) -> None:
        self._aliases[contact.name] = person
        if _CJK.search(contact.name):
            self._add_chinese(contact, person, contacts)
        else:
            self._add_name_parts(contact.name, person, [c.name for c in contacts])
        if contact.title:
            self._add_title(contact.title, person, contacts)

    def _add_name_parts(self, name: str, person: Person, all_names: list[str]) -> None:
        parts = name.split()
        if len(parts) < 2:
            return
        for index in (0, -1):
            part = parts[index]
            clashes = sum(part in other.split() for other in all_names)
            if part.lower() in _NOT_NAMES:
                continue
            if clashes == 1:
                self._aliases.setdefault(part, person)
            else:
                self._shared.setdefault(part, []).append(person)

    def _add_chinese(
        self, contact: KnownContact, person: Person, contacts: Sequence[KnownContact]
    ) -> None:
        surname = contact.name[0]
        if sum(c.name.startswith(surname) for c in contacts) == 1:
            for honorific in _HONORIFICS:
                self._aliases.setdefault(surname + honorific, person)
        if len(contact.name) >= 3:
            self._aliases.setdefault(contact.name[1:], person)

    def _add_title(self, title: str, person: Person, contacts: Sequence[KnownContact]) -> None:
        unique = sum((c.title or "").lower() == title.lower() for c in contacts) == 1
        variants = [title, *_TITLE_SYNONYMS.get(title.lower(), ())]
        for variant in variants:
            if not unique:
                self._shared_folded.setdefault(variant.lower(), []).append(person)
            elif variant.isupper() or _CJK.search(variant):
                self._aliases.setdefault(variant, person)
            else:
                self._folded.setdefault(variant.lower(), person)

    def _add_discovered(self, name: str) -> None:
        words = re.split(r"[ -]", name)
        if any(w.lower() in _NOT_NAMES for w in words) or name in self._aliases:
            return
        if name.lower() in self._folded or name.lower() in self._shared_folded:
            return
        if any(w in self._aliases or w in self._shared for w in words):
            return
        person = Person(name.lower(), name, None)
        self._aliases[name] = person
        for word in (words[0], words[-1]):
            self._aliases.setdefault(word, person)

    def _compile(self) -> re.Pattern[str]:
        exact = sorted(self._aliases.keys() | self._shared.keys(), key=len, reverse=True)
        folded = sorted(self._folded.keys() | self._shared_folded.keys(), key=len, reverse=True)
        parts = [rf"(?P<e>{'|'.join(map(_bounded, exact))})"] if exact else []
        if folded:
            parts.append(rf"(?i:(?P<f>{'|'.join(map(_bounded, folded))}))")
        return re.compile("|".join(parts) or r"(?!x)x")

    def mentions(
        self, sentence: str, last: Person | None, named: Sequence[Person] = ()
    ) -> list[Mention]:
        """People referred to in ``sentence``.

        Pronouns resolve to the last person named; a shared first name, surname or title
        to the holder named most recently in this sentence or in ``named`` (the people
        named earlier in the note, in order).
        """
        found: list[Mention] = []
        for match in self._pattern.finditer(sentence):
            person = self._resolve(match, [*named, *(m.person for m in found)])
            if person is not None:
                target = _is_target(sentence, match)
                found.append(Mention(match.start(), match.end(), person, target))
        for match in _PRONOUN.finditer(sentence):
            before = [m for m in found if m.end <= match.start()]
            referent = before[-1].person if before else last
            if referent is not None:
                found.append(Mention(match.start(), match.end(), referent, True, pronoun=True))
        return sorted(found, key=lambda m: m.start)

    def _resolve(self, match: re.Match[str], named: Sequence[Person]) -> Person | None:
        exact = match.groupdict().get("e")
        if exact:
            unique, holders = self._aliases.get(exact), self._shared.get(exact, [])
        else:
            alias = match.group(0).lower()
            unique, holders = self._folded.get(alias), self._shared_folded.get(alias, [])
        if unique is not None:
            return unique
        return next((p for p in reversed(named) if p in holders), None)


def _bounded(alias: str) -> str:
    escaped = re.escape(alias)
    return escaped if _CJK.search(alias) else rf"(?<![\w]){escaped}(?![\w])"


def _is_target(sentence: str, match: re.Match[str]) -> bool:
    """Whether a mention can be the person a cue is about.

    A possessive mention ("David's calendar") cannot, unless what follows is the person's
    own team, say or signature ("Jack's team will use it", "needs Maria's signature").
    """
    rest = sentence[match.end() :]
    return not _POSSESSIVE.match(rest) or bool(_OWN_WORDS.match(rest))
