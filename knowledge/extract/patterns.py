r"""Preference cue patterns and their value normalisers (English and Chinese).

Each pattern maps a phrase to a category and a short normalised value built from the
match (``net \g<n>`` → "net 60"). Within one sentence the earliest (then longest) match
of a category wins, so a sentence states at most one preference per category.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from crm.models import PreferenceCategory

_MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"
_WHEN = (
    rf"(?P<when>(?:the )?(?:end of (?:the )?)?(?:Q[1-4](?: \d{{4}})?|{_MONTHS}|\d{{4}}|"
    rf"fiscal year(?: end)?|year[- ]end|month|quarter|year|summer|"
    rf"next (?:fiscal |calendar )?(?:week|month|quarter|year)|"
    rf"(?:\d{{1,3}}|a few|two|three|four|six) (?:days|weeks|months)|"
    rf"the [\w ]{{3,25}}?(?: in (?:{_MONTHS}))?)(?: \d{{4}})?)"
)
_PRODUCT_NOUN = (
    r"(?:module|app|view|export|interface|dashboards?|dialer|buttons|features?|API|SSO|SAML|"
    r"SCIM|audit logs?|mode|reporting|report builder|reports(?! to)|[Ss]ingle sign-on)"
)
_NOT_MODIFIER = (
    r"(?!(?:a|an|the|our|their|its|for|about|whether|we|support|and|of|to|is|are|with|without|"
    r"need|needs|require|requires|want|wants|have|has|absolutely|really|also|them|us|on|in|"
    r"twice|ahead|be|no|not|any|lack|missing)\b)"
)
_CHANNEL_FRAME = (
    r"\b(?:prefers?|preferred|reach\w*|contact\w*|communicat\w*|answers?|responds?|replies|"
    r"best (?:way|channel)|keep (?:it|things|in touch))\b[^.;]{0,40}?\b(?:on|via|by|over|through|"
    r"is|to) "
)
_REGION = r"(?P<r>EU|EEA|US|USA|UK|APAC|EMEA|[A-Z][a-z]+)"
_PRODUCT_TRIGGER = re.compile(
    r"\b(?:ask(?:ed|s|ing)? (?:for|about|whether|if)|wants?|would (?:like|love)|needs?|requires?|"
    r"insists?|loved|loves|likes|excited about|interested in|must[- ]have|evaluat\w*|test|commit|"
    r"ask(?:ed|s|ing)? \w+ about|requirements?|(?:is|are) a must|deal[- ]?breaker|"
    r"(?:won't|will not|can't|cannot|not) [^.;]{0,25}without)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class PreferencePattern:
    """A phrase that states a preference, its category and its value template."""

    category: PreferenceCategory
    pattern: re.Pattern[str]
    template: str
    needs_trigger: bool = False

    def value(self, match: re.Match[str]) -> str:
        """The normalised value for ``match``."""
        raw = match.expand(self.template)
        return _tidy(raw)


def _p(
    category: PreferenceCategory,
    pattern: str,
    template: str,
    *,
    case: bool = False,
    needs_trigger: bool = False,
) -> PreferencePattern:
    flags = 0 if case else re.IGNORECASE
    return PreferencePattern(category, re.compile(pattern, flags), template, needs_trigger)


_FREQ = {
    "yearly": "annual",
    "annually": "annual",
    "thirty": "30",
    "forty-five": "45",
    "sixty": "60",
    "ninety": "90",
    "按年": "annual",
    "按季度": "quarterly",
}
_PERIOD = {"year": "annual", "quarter": "quarterly", "month": "monthly"}
_ZH_WHEN = {"年底": "year end", "年中": "mid-year", "明年": "next year", "下个月": "next month"}


def _tidy(raw: str) -> str:
    words = raw.replace("_", " ").split()
    out = " ".join(_FREQ.get(w.lower(), w) for w in words)
    out = re.sub(r"\b(year|quarter|month) billing", lambda m: f"{_PERIOD[m[1]]} billing", out)
    for zh, en in _ZH_WHEN.items():
        out = out.replace(zh, en)
    return re.sub(r"\b(?:the|our|their|a|an) ", "", out).strip(" ,.")


PATTERNS: tuple[PreferencePattern, ...] = (
    # payment terms
    _p("payment_terms", r"\bnet[- ]?(?P<n>\d{2,3})\b", r"net \g<n>"),
    _p("payment_terms", r"\b(?P<n>\d{2,3})[- ]day payment terms\b", r"net \g<n>"),
    _p(
        "payment_terms",
        r"\bpa(?:y|id|yment)\w* (?:with)?in (?P<n>\d{2,3}|thirty|forty-five|sixty|ninety) days\b",
        r"net \g<n>",
    ),
    _p(
        "payment_terms",
        r"\b(?:invoic|bill)\w* (?:(?:once )?(?:every|each|per|a) )(?P<f>year|quarter|month)\b"
        r"|\b(?:one|an?) (?:invoice|bill) (?:per|a|each|every) (?P<g>year|quarter|month)\b",
        r"\g<f>\g<g> billing",
    ),
    _p("payment_terms", r"月结(?P<n>\d+)天", r"net \g<n>"),
    _p(
        "payment_terms",
        r"\b(?P<f>annual|yearly|quarterly|monthly)(?:ly)? "
        r"(?:billing|invoicing|invoices?|payments?)",
        r"\g<f> billing",
    ),
    _p("payment_terms", r"\b(?P<f>annual|yearly|quarterly|monthly) billing\b", r"\g<f> billing"),
    _p("payment_terms", r"\bpay(?:s|ment)? upfront (?P<f>annually|yearly)\b", r"\g<f> upfront"),
    _p(
        "payment_terms",
        r"\b(?:pay(?:s|ment)? upfront|upfront payment|(?:invoic|bill|pa)\w* in advance)\b",
        "upfront payment",
    ),
    _p(
        "payment_terms",
        r"\b(?:by|via|with) (?:a )?purchase order(?: only)?\b|\bpurchase orders? only\b",
        "purchase order only",
    ),
    _p("payment_terms", r"\binstal+ments?\b|\bsplit into (?:two|\d) payments\b", "instalments"),
    _p("payment_terms", r"\bcredit card\b", "credit card"),
    _p("payment_terms", r"(?P<f>按年|按季度)(?:付款|支付)|年付", r"\g<f> billing"),
    # pricing
    _p("pricing", r"\b(?P<pct>\d{1,2}) ?% discount\b", r"\g<pct>% discount"),
    _p("pricing", r"\bdiscount for (?P<who>\w+)", r"discount for \g<who>"),
    _p("pricing", r"\b(?P<who>nonprofit|volume|multi-year) discount\b", r"\g<who> discount"),
    _p("pricing", r"\b(?:tiered|volume)(?: volume)? pric(?:ing|es)\b", "volume pricing"),
    _p("pricing", r"\bdiscount\b|折扣|优惠", "discount"),
    _p("pricing", r"\bper[- ](?P<u>user|seat)\b", r"per-\g<u> pricing"),
    _p(
        "pricing",
        r"\bfixed[- ](?:monthly |annual )?(?:price|fee|cost)\b|\bflat fee\b",
        "fixed price",
    ),
    _p("pricing", r"\busage[- ]based\b", "usage-based pricing"),
    _p(
        "pricing",
        r"\bbudget (?:is )?capped at (?P<amt>\S+(?: (?:per|a) (?:year|month))?)",
        r"budget cap \g<amt>",
    ),
    _p("pricing", r"\bcap on (?:annual )?price increases\b", "price increase cap"),
    _p("pricing", r"\bprice (?:lock|freeze)\b", "price lock"),
    _p("pricing", r"\b(?:no|avoid any) upfront (?:cost|fee)s?\b", "no upfront cost"),
    # communication
    _p(
        "communication",
        r"\b(?P<ch>WhatsApp|WeChat|Slack|Microsoft Teams|Signal|Telegram)\b",
        r"prefers \g<ch>",
        case=True,
    ),
    _p(
        "communication",
        r"\bvideo calls?\b|\b(?-i:Teams|Zoom|Webex|Google Meet) (?:calls?|meetings?)\b",
        "prefers video calls",
    ),
    _p(
        "communication",
        rf"(?:{_CHANNEL_FRAME}|\bprefer(?:s|red)? )(?:the |a |an )?(?:quick |short )?"
        r"(?P<ch>e-?mail|(?:tele)?phone)\b",
        r"prefers \g<ch>",
    ),
    _p("communication", r"\b(?:by|via|over the) phone\b|\bphone calls?\b", "prefers phone"),
    _p(
        "communication",
        r"\b(?P<f>weekly|daily|monthly|bi-?weekly) (?:e-?mail )?(?:updates?|status|reports?|"
        r"calls?|reviews?|check-?ins?)\b",
        r"\g<f> updates",
    ),
    _p("communication", r"\b(?:by|via|over) e-?mail\b|\be-?mail only\b", "prefers email"),
    _p(
        "communication",
        r"\bshort (?:e-?mail )?summar(?:y|ies)\b|\bunder five lines\b",
        "short email summaries",
    ),
    _p("communication", r"\bin writing\b", "in writing"),
    _p(
        "communication",
        r"\b(?P<d>(?:Mon|Tues|Wednes|Thurs|Fri)day) (?P<t>mornings?|afternoons?)",
        r"\g<d> \g<t>",
        case=True,
    ),
    _p("communication", r"微信", "prefers WeChat"),
    _p("communication", r"钉钉", "prefers DingTalk"),
    _p("communication", r"电话", "prefers phone"),
    # deployment
    _p(
        "deployment",
        r"\b(?:[Dd]ata (?:must |should )?(?:stay|stays|remain|be stored|be hosted) in (?:the )?EU|"
        r"EU (?:hosting|region|data cent(?:er|re)s?)|hosted in the EU|EU[- ]only)\b",
        "EU hosting",
        case=True,
    ),
    _p("deployment", r"\b(?P<p>AWS|Azure|GCP) (?P<r>[A-Z][a-z]+)\b", r"\g<p> \g<r>", case=True),
    _p(
        "deployment",
        rf"\b(?:hosting|hosted|data residency|data cent(?:er|re)s?|stored|deployment) "
        rf"(?:in|inside|within) (?:the )?{_REGION}\b",
        r"\g<r> hosting",
        case=True,
    ),
    _p(
        "deployment",
        rf"\b{_REGION}(?:-based|-region| region)? (?:hosting|data residency|deployment)\b",
        r"\g<r> hosting",
        case=True,
    ),
    _p("deployment", r"\bon[- ]prem(?:ise|ises)?\b|\bown servers\b", "on-premise"),
    _p("deployment", r"\b(?:single[- ]tenant )?private cloud\b", "private cloud"),
    _p("deployment", r"\bhybrid\b", "hybrid deployment"),
    _p("deployment", r"\b(?:SaaS|public cloud|cloud deployment|cloud-hosted)\b", "SaaS (cloud)"),
    _p(
        "deployment",
        r"\b(?:hosted|hosting|data cent(?:er|re)s?) in (?P<w>[A-Z][a-z]+)\b",
        r"hosting in \g<w>",
        case=True,
    ),
    _p("deployment", r"\b(?P<w>[A-Z][a-z]+)[- ]hosted\b", r"hosting in \g<w>", case=True),
    _p("deployment", r"本地部署|私有化部署", "on-premise"),
    _p("deployment", r"中国境内|国内(?:部署|存储)", "data in China"),
    _p("deployment", r"云端|云部署|公有云", "SaaS (cloud)"),
    # timeline
    _p(
        "timeline",
        rf"\b(?:go[- ]live|be live|live)\b[^.;]{{0,15}}?\b(?P<prep>before|by|in|after)\s+{_WHEN}",
        r"go-live \g<prep> \g<when>",
    ),
    _p(
        "timeline",
        rf"\b(?:go[- ]live|be live)\b[^.;]{{0,15}}?\b(?:slips?|moves?|pushed) to\s+{_WHEN}",
        r"go-live in \g<when>",
    ),
    _p(
        "timeline",
        rf"\b(?:start (?:the )?rollout|rollout|roll out)\b[^.;]{{0,10}}?"
        rf"\b(?P<prep>in|by|after|before)\s+{_WHEN}",
        r"rollout \g<prep> \g<when>",
    ),
    _p(
        "timeline",
        rf"\b(?P<what>rollout|roll-out|go-live|launch|pilot|implementation|migration)\b"
        rf"[^.;]{{0,10}}?\b(?:(?P<prep>within|by|before|in) )?(?=(?:next|\d+|a few|two|three|"
        rf"four|six)\b){_WHEN}",
        r"\g<what> \g<prep> \g<when>",
    ),
    _p("timeline", r"\bphased rollout\b", "phased rollout"),
    _p("timeline", rf"\bsign(?:ed)?\b[^.;]{{0,20}}?\bby\s+{_WHEN}", r"sign by \g<when>"),
    _p("timeline", rf"\bnot sign\b[^.;]{{0,20}}?\bbefore\s+{_WHEN}", r"after \g<when>"),
    _p(
        "timeline",
        rf"\b(?:decision|decide)\b[^.;]{{0,20}}?\b(?P<prep>by|before)\s+{_WHEN}",
        r"decision \g<prep> \g<when>",
    ),
    _p(
        "timeline",
        rf"\bstart(?:ing)?\b[^.;]{{0,15}}?\b(?P<prep>by|in|before)\s+{_WHEN}",
        r"start \g<prep> \g<when>",
    ),
    _p("timeline", rf"\bpostpone\b[^.;]{{0,25}}?\bto\s+{_WHEN}", r"postpone to \g<when>"),
    _p("timeline", r"(?P<when>年底|年中|明年|下个月|\d+月)前?上线", r"go-live before \g<when>"),
    # product (only in sentences that ask for, want or evaluate something)
    _p(
        "product",
        r"\b(?:connector|connection|interface|sync) (?:to|with|for|into) (?P<x>[A-Z][\w-]*)",
        r"\g<x> integration",
        needs_trigger=True,
    ),
    _p(
        "product",
        r"\bintegration with (?:their |the )?(?P<x>[\w ]{2,30}?)(?= before| during| and|[.,;]|$)",
        r"\g<x> integration",
        needs_trigger=True,
    ),
    _p(
        "product",
        rf"\b(?P<x>{_NOT_MODIFIER}[A-Za-z][\w-]*) integration\b",
        r"\g<x> integration",
        case=True,
        needs_trigger=True,
    ),
    _p(
        "product",
        rf"\b(?P<x>(?:{_NOT_MODIFIER}[A-Za-z][\w-]*\s+){{0,2}}{_PRODUCT_NOUN})\b",
        r"\g<x>",
        case=True,
        needs_trigger=True,
    ),
)


def has_product_trigger(sentence: str) -> bool:
    """Whether the sentence asks for, wants or evaluates something (product cues need it)."""
    return bool(_PRODUCT_TRIGGER.search(sentence))
