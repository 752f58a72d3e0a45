"""Cue lexicons for decision-chain roles, stance and influence (English and Chinese).

Each cue is a regular expression with a label and the direction in which its person is
found: ``prev`` (the person named before the cue, the clause subject: "Maria will sign
off"), ``next`` (named after it: "the budget sits with David") or ``subj`` (the first
person of the sentence, for object pronouns: "everything goes through her").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

Direction = Literal["prev", "next", "subj"]


@dataclass(frozen=True)
class Cue:
    """A linguistic cue: a pattern, what it signals, and where its person stands."""

    pattern: re.Pattern[str]
    label: str
    direction: Direction = "prev"


def cues(label: str, *patterns: str, direction: Direction = "prev") -> tuple[Cue, ...]:
    """Compile ``patterns`` (case-insensitive) into cues for ``label``."""
    return tuple(Cue(re.compile(p, re.IGNORECASE), label, direction) for p in patterns)


_TECH = (
    r"(?:security|integration|api|architecture|technical|technically|encryption|penetration|"
    r"pen test|data model|data security|load test|sso|saml|fit|compliance|gdpr|iso|connectors?|"
    r"data stack|tech stack|stack|"
    r"proof of concept|poc|data migration|audit log|sandbox|infrastructure|系统|技术|安全|集成)"
)
_RIVAL = r"(?:competitor|other vendor|another vendor|current vendor|in-house|staying with|竞争对手)"

ROLE_CUES: tuple[Cue, ...] = (
    *cues(
        "decision_maker",
        r"\bsign(?:s|ing)? off\b",
        r"\bfinal sign-?off\b",
        r"\b(?:will|to) sign\b",
        r"\bsigns\b",
        r"\b(?:the one )?signing(?: the contract)?\b(?! without)",
        r"\bfinal (?:say|word|call|decision|approval)\b",
        r"\bmak(?:e|es|ing) (?:the )?(?:final )?(?:call|decision)s?\b",
        r"\bdecides(?=[,.;]| (?:on|whether|what|which|how|if|for)\b)",
        r"['’]s (?:final )?(?:signature|sign-?off|approval|call|decision)\b",
        r"\bdecision[- ]maker\b",
        r"\beconomic buyer\b",
        r"\bbudget (?:holder|owner|authority)\b",
        r"\b(?:owns|controls|holds|has) the budget\b",
        r"\bpurse strings\b",
        r"\bapprov(?:e|es)\s+(?:all\s+)?(?:spending|the purchase|purchases|the budget)\b",
        r"\bgave the (?:verbal )?(?:ok|go-ahead)\b",
        r"\bwill decide\b(?! together)",
        r"\bdecide alone\b",
        r"\bthe one who decides\b",
        r"拍板|最终审批|最终决定|说了算|签字|签合同|审批权|掌握预算|决策人|决策者|负责审批",
    ),
    *cues(
        "decision_maker",
        r"\b(?:budget|(?:final )?(?:approval|decision|say|sign-?off)) "
        r"(?:sits|rests|lies|stays) with\b",
        r"\bsigned by\b",
        r"\b(?:it is|it's) up to\b",
        r"\bnothing (?:gets|is) (?:approved|decided|bought) without\b",
        direction="next",
    ),
    *cues(
        "champion",
        r"\bchampion(?:s|ing)?\b",
        r"\badvocate\b",
        r"\bpushing (?:it|us|for us|our|the proposal)\b",
        r"\bpush(?:es|ing)? (?:hard )?"
        r"(?:internally|for (?:us|our|this|the (?:project|proposal)))\b",
        r"\blobby(?:ing)?\b|\blobbies\b",
        r"\bdriv(?:es|ing) (?:it|this|the (?:project|deal|initiative)) internally\b",
        r"\b(?:is|are|was) all for (?:it|us|this|the (?:project|switch|change))\b",
        r"\b(?:pitch|present|sell)(?:es|s|ing)? (?:our|us|the) (?:proposal|solution|case|offer)\b"
        r"[^.;]{0,30}?\b(?:to|with) (?:the |their )?(?:leadership|management|board|executives?|"
        r"steering)",
        r"\bsell(?:s|ing)? (?:the project|it|us|our \w+) internally\b",
        r"\bfight for (?:it|us)\b",
        r"\bgoing to bat for us\b",
        r"\bon our side\b",
        r"\bbiggest fan\b",
        r"\bwants us to win\b",
        r"\bcoach(?:es|ing)? us\b",
        r"\bshar(?:ed|es|ing) (?:the |their |inside |feedback from )?(?:internal|inside)\b",
        r"\bkeeps? us (?:informed|posted|updated)\b",
        r"\bsent us the draft\b",
        r"\bhelping us navigate\b",
        r"\b(?:is recommending|recommends) us\b",
        r"\bkeeps forwarding our\b",
        r"\b(?:driving the project|main driver|driver of the project|strong supporter)\b",
        r"\btold us (?:where we stand|the other vendor)",
        r"帮我们说话|内部.{0,6}推动|帮我们推动|站在我们这边|内线",
    ),
    *cues(
        "influencer",
        r"\binfluen(?:ce|ces|cer|cing|tial)\b",
        r"\badvisory\b",
        r"\b(?:gives?|giving|make|makes|making) (?:a |the |their |his |her )?recommendation\b",
        r"['’]s (?:advice|opinion|recommendation|judg(?:e)?ment|input|view)\b",
        r"\bhas the ear of\b",
        r"\b(?:steering|selection|buying) committee\b",
        r"\bopinion (?:carries|matters|shapes)\b",
        r"\bcarries (?:a lot of )?weight\b",
        r"\ba lot of say\b",
        r"\bstrong voice\b",
        r"\bhas (?:a )?say\b",
        r"\badvis(?:e|es|ing)\b",
        r"\bshap(?:e|es|ing) (?:the |how |what |which )?(?:requirements|decision|shortlist|"
        r"\w+ (?:sees?|thinks?|views?))\b",
        r"\bdecide together with\b",
        r"\b(?:will|'ll) recommend\b",
        r"影响力|话语权|意见很重要",
    ),
    *cues(
        "technical_evaluator",
        rf"\b(?:check(?:s|ing)?|review(?:s|ing)?|assess(?:es|ing)?|evaluat(?:e|es|ing)|"
        rf"test(?:s|ing|ed)?|ran|run|approved?|doing|validat(?:e|es|ing)|vet(?:s|ting)?)\b"
        rf"[^.;]{{0,40}}?\b{_TECH}\b",
        r"\btechnical (?:deep dive|evaluation|assessment|side|setup|review|due diligence|"
        r"validation)\b",
        r"\b(?:leads?|leading|runs?|running|owns?) the (?:pilot|trial|poc|evaluation)\b",
        r"\bsecurity (?:review|questionnaire|assessment)\b",
        r"\barchitecture review\b",
        r"\bproof of concept\b",
        r"\bgreen light on security\b",
        r"\bcomplete the assessment\b",
        r"技术评估|技术测试|安全审查|技术审核|评估.{0,6}(?:系统|技术|安全)|测试",
    ),
    *cues(
        "technical_evaluator",
        r"\b(?:technical|security|integration|IT|API|architecture) "
        r"(?:questions|topics|matters|decisions)\b[^.;]{0,15}?"
        r"\b(?:go|goes|run|runs|sit|sits|rest|rests) (?:through|with|by)\b",
        direction="next",
    ),
    *cues(
        "user",
        r"\b(?:every day|everyday|daily|all day|day[- ]to[- ]day)\b",
        r"\bend[- ]users?\b",
        r"\b(?:hands-on|power|future|regular|primary|active|key|frontline) users?\b",
        r"\busers? of (?:the|our|their) (?:current |new )?(?:system|tool|platform|product|app)\b",
        r"\b(?:run|do|manage|plan|track|handle|work on)\b[^.;]{0,30}?\b(?:in|with|on) (?:the|our) "
        r"(?:tool|platform|system|app|software)\b",
        r"\b(?:heavy|main|daily) user\b",
        r"\bwill (?:be )?us(?:e|ing)\b",
        r"每天.{0,4}使用|日常使用|使用者",
    ),
    *cues(
        "gatekeeper",
        r"\bgatekeeper\b",
        r"\b(?:from|runs|handles) procurement\b",
        r"\b(?:manag|handl|run|keep|control|own)\w* [\w'’ ]{0,25}calendars?\b",
        r"\bscreens?\b|\bscreening\b",
        r"\bfirst filter\b",
        r"\bcontrols? (?:access|the (?:contract |vendor |tender |rfp |procurement )?process)\b",
        r"\bcontrols the vendor onboarding\b",
        r"\bblocking access\b",
        r"\bholding up the contract\b",
        r"\bapprove all vendor\b",
        r"\b(?:runs|handles|manages|organi[sz]es) the (?:tender|rfp|procurement|vendor selection|"
        r"purchasing)\b",
        r"\bsupplier (?:list|contact)\b",
        r"\bpurchasing portal\b",
        r"\be-procurement\b",
        r"\bnothing gets signed without\b",
        r"\bgates\b",
        r"\bdecides who\b",
        r"招标|采购流程|供应商文件|安排会议",
    ),
    *cues(
        "gatekeeper",
        r"\b(?:go|goes|send \w+) through (?:her|him)\b",
        r"\bthrough her\b",
        r"\bto her first\b",
        r"(?:通过|交给)[她他]",
        direction="subj",
    ),
    *cues("influencer", r"\blistens? to (?:him|her)\b", direction="subj"),
    *cues(
        "blocker",
        r"\b(?:resistance|pushback|push-back|objections?|opposition) from\b",
        direction="next",
    ),
    *cues(
        "champion",
        r"\bwithout\b(?=(?: (?:Mr|Ms|Mrs|Dr)\.)?[^.;]{1,40}?"
        r"\b(?:pushing|championing|support|help|backing)\b"
        r"[^.;]{0,40}?\bwould(?:n't| not)? have\b)",
        direction="next",
    ),
    *cues(
        "gatekeeper",
        r"\b(?:go|goes|going|get|gets|run|runs|routed|reach(?:es)?|schedul\w+)\b[\w ]{0,25}? "
        r"(?:through|via)"
        r"(?= (?:the )?(?-i:[A-Z])| (?:him|her)\b)",
        r"\b(?:filtered|screened|vetted|gated) by\b",
        direction="next",
    ),
    *cues(
        "blocker",
        r"\bblocker\b",
        r"\bblock(?:s|ing|ed)? (?:it|us|this|the (?:\w+ )?(?:deal|project|purchase|order|switch|"
        r"contract|decision|budget))\b",
        r"\b(?:raise|raises|raising|keeps raising) objections\b",
        r"\bpush(?:es|ing)? back\b",
        r"\bsees? no (?:need|value|point|reason)\b",
        r"\bput (?:the|this|our) (?:\w+ )?on hold\b",
        r"\b(?:kill|derail|torpedo|sink|stall)(?:s|ing|ed)? (?:the|this|our) "
        r"(?:deal|project|purchase|contract)\b",
        rf"\b(?:prefers?|pushing for|arguing for|leaning towards|recommended|favou?rs?)\b"
        rf"[^.;]{{0,30}}?{_RIVAL}",
        r"\b(?:is|are|was|were|firmly|strongly|dead|remains?) against\b",
        r"\b(?:opposes?|resist(?:s|ing)?|arguing against|bad fit|overkill)\b",
        r"\bstrongly prefers\b",
        r"\bkeeps questioning\b",
        r"倾向于竞争对手|反对|阻挠",
    ),
)

ROLE_PRIORITY: tuple[str, ...] = (
    "decision_maker",
    "blocker",
    "gatekeeper",
    "technical_evaluator",
    "champion",
    "influencer",
    "user",
)
"""When one note gives a person several roles, the first in this order wins.

Deciding outranks everything (a decision maker who prefers a rival stays the decision
maker, with an opposed stance); opposing outranks the process and evaluation roles."""

STANCE_CUES: tuple[Cue, ...] = (
    *cues(
        "neutral",
        r"\b(?:neutral|lukewarm|undecided|on the fence|non-?committal)\b",
        r"\bhard to (?:read|tell|say) (?:where|what|how)\b",
        r"\bnot opposed\b",
        r"\bbut open\b",
        r"\bbut fair\b",
        r"\bwill not block\b",
        r"中立|观望",
    ),
    *cues(
        "opposed",
        r"\b(?:against|opposes?|opposed|resist(?:s|ing)?|skeptical|sceptical|bad fit|overkill)\b",
        r"\bnot a fan\b",
        r"\b(?:critical of|reluctant|hesitant|dislikes?|(?:doesn't|does not|didn't) like)\b",
        r"\btoo (?:high|complex|expensive)\b",
        rf"\b(?:prefers?|leaning towards|recommended)\b[^.;]{{0,30}}?{_RIVAL}",
        r"不满意|反对",
    ),
    *cues(
        "supportive",
        r"\b(?:excited|supportive|enthusiastic|impressed|happy|loves?|loved|likes|positive|keen|"
        r"eager)\b",
        r"\b(?:on board|on our side|big(?:gest)? fan|strong supporter|supports us|in favou?r)\b",
        r"\bwants us to win\b",
        r"\bno more concerns\b",
        r"\bsigned off on\b",
        r"\bgave the (?:verbal )?(?:ok|go-ahead)\b",
        r"支持|喜欢|满意",
    ),
)

INFLUENCE_CUES: tuple[Cue, ...] = (
    *cues(
        "high",
        r"\bfinal (?:say|word|call)\b",
        r"\b(?:a lot of|carries) weight\b",
        r"\ba lot of say\b",
        r"\bstrong voice\b",
        r"\b(?:big|huge|strong) influence\b",
        r"\bvery influential\b",
        r"说了算|话语权",
    ),
    *cues("low", r"\bno (?:decision )?power\b", r"\bno say\b", r"\blittle influence\b"),
    *cues("medium", r"\bsome influence\b"),
)

ROLE_STANCE = {"champion": "supportive", "blocker": "opposed"}
"""Stance implied by a role when no stance cue is present."""

ROLE_INFLUENCE = {"decision_maker": "high"}
"""Influence implied by a role when no influence cue is present."""
