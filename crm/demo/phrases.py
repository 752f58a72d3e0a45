"""English phrasings of rep notes: roles, pairs, stance, preferences, deal talk, logistics.

Placeholders: ``{p}`` a person (full name on first mention, later given name or title),
``{subj}``/``{obj}``/``{pos}`` their pronouns, ``{v}`` a preference value, ``{c}`` a competitor.
Every role has at least eight phrasings so extraction cannot simply match templates.
"""

from __future__ import annotations

ROLE_SENTENCES: dict[str, tuple[str, ...]] = {
    "decision_maker": (
        "{p} has the final say on the budget.",
        "{p} will sign the contract in the end.",
        "Anything above 50k needs {p}'s signature.",
        "{p} makes the call on vendor selection.",
        "Final approval sits with {p}.",
        "{p} owns the budget and will decide.",
        "According to the team, {p} is the one who signs off.",
        "Nothing gets approved without {p}, so we need {obj} on board.",
        "{p} is the economic buyer here.",
        "The decision rests with {p}.",
    ),
    "champion": (
        "{p} is pushing hard internally for our solution.",
        "{p} is our champion and is lining up the internal meetings.",
        "{p} offered to pitch our proposal to the leadership team.",
        "{p} really wants this to happen and keeps selling it internally.",
        "{p} has been coaching us on how to get this approved.",
        "Internally, {p} is our strongest advocate.",
        "{p} shared the org chart and is helping us navigate the process.",
        "Without {p} pushing, this deal would have died months ago.",
        "{p} is championing the project with the management team.",
    ),
    "influencer": (
        "{p}'s opinion carries a lot of weight with the leadership.",
        "{p} doesn't sign, but the board listens to {obj}.",
        "{p} will give a recommendation to management.",
        "{p} has an advisory role in the selection.",
        "The CEO usually follows {p}'s advice on tools like ours.",
        "{p} is influential here even without formal authority.",
        "{p} sits on the steering committee and shapes the shortlist.",
        "Worth keeping {p} close, {subj} shapes how finance sees the project.",
    ),
    "technical_evaluator": (
        "{p} is running the technical evaluation.",
        "{p} will test the API and the SSO integration during the trial.",
        "{p} owns the security review and the architecture sign-off.",
        "{p} is assessing whether we fit their data stack.",
        "All technical questions go through {p}.",
        "{p} wants a sandbox to validate the connectors before anything moves.",
        "{p} is leading the proof of concept on their side.",
        "{p} will do the technical due diligence.",
    ),
    "user": (
        "{p} will use the dashboards every day.",
        "{p}'s team are the end users of the platform.",
        "{p} works with the reports daily and gave good feedback on the UI.",
        "{p} will be one of the main day-to-day users.",
        "{p} attended the demo as a future user and liked the mobile app.",
        "{p} would run the weekly planning in the tool.",
        "{p} is a hands-on user of the current system and knows its pain points.",
        "{p} will be using the product in the field.",
    ),
    "gatekeeper": (
        "{p} controls access to the leadership team.",
        "Every meeting request has to go through {p}.",
        "{p} manages vendor onboarding and decides who gets a meeting.",
        "{p} screens all vendor calls before they reach management.",
        "We can only reach the board through {p}.",
        "{p} handles the executives' calendars and is the first filter.",
        "{p} is the gatekeeper for all procurement paperwork.",
        "To get on the agenda we need to go through {p} first.",
    ),
    "blocker": (
        "{p} is against the project and prefers to keep the current vendor.",
        "{p} is blocking the purchase order.",
        "{p} keeps raising objections about the migration effort.",
        "{p} is actively pushing for the competitor.",
        "{p} told the team {subj} sees no need for a new tool.",
        "{p} has put the project on hold twice already.",
        "{p} is trying to kill the deal over data ownership concerns.",
        "Expect resistance from {p}, who built the in-house tool we would replace.",
    ),
}

PAIR_SENTENCES: dict[tuple[str, str], tuple[str, ...]] = {
    ("decision_maker", "champion"): (
        "{a} will sign off, but {b} is the one driving it internally.",
        "{b} is pushing for us and has the ear of {a}, who holds the budget.",
    ),
    ("decision_maker", "technical_evaluator"): (
        "{b} runs the technical evaluation and reports to {a}, who has the final say.",
    ),
    ("champion", "blocker"): (
        "{a} is all for it, while {b} keeps blocking the purchase.",
        "{b} is against the switch, but {a} is lobbying hard for us.",
    ),
    ("technical_evaluator", "user"): (
        "{a} leads the pilot and {b} will be one of the daily users.",
    ),
    ("gatekeeper", "decision_maker"): (
        "We have to go through {a} to get time with {b}, who makes the final decision.",
    ),
    ("influencer", "decision_maker"): ("{b} decides, but {a}'s opinion carries real weight.",),
    ("champion", "technical_evaluator"): (
        "{a} is championing us and asked {b} to run the technical review.",
    ),
    ("blocker", "decision_maker"): (
        "{a} is pushing back hard, and in the end {b} will make the final call.",
    ),
}

STANCE_SENTENCES: dict[str, tuple[str, ...]] = {
    "supportive": (
        "{Subj} seemed genuinely enthusiastic.",
        "{Subj} is clearly in favour of moving ahead.",
        "{Subj} was very positive about the demo.",
    ),
    "neutral": (
        "{Subj} is still on the fence.",
        "Hard to read where {subj} stands.",
        "{Subj} kept a neutral tone throughout.",
    ),
    "opposed": (
        "{Subj} remains skeptical about switching.",
        "{Subj} was openly critical of our pricing.",
        "{Subj} doesn't like the idea of changing vendors.",
    ),
}

INTROS = (
    "Call with {full}, their {title}.",
    "Met {full} ({title}) on site.",
    "Long email thread with {full} from {company}.",
    "{full} ({title}) joined today's meeting.",
    "Caught up with {full} over coffee.",
    "Spoke to {full}, {title} at {company}.",
)

NEUTRAL_MENTIONS = (
    "{p} joined the call for the first ten minutes.",
    "Bumped into {p} at the trade fair.",
    "{p} was cc'd on the thread.",
    "Sent {p} the meeting notes.",
    "{p} is out of office until next week.",
    "{p} mentioned they are moving offices in the spring.",
    "Had lunch with {p}, mostly small talk about the holidays.",
    "{p} forwarded the invoice to accounts payable.",
)

LOGISTICS = (
    "Sent the revised quote.",
    "Rescheduled the demo to next Tuesday.",
    "Left a voicemail, will try again Thursday.",
    "Shared the case study deck.",
    "Updated the proposal with the new volume tiers.",
    "Booked a meeting room for the workshop.",
    "Followed up on the open invoice.",
    "Sent a calendar invite for the quarterly review.",
    "Will circle back after their board meeting.",
    "Dropped off the signed NDA.",
)

COMPETITOR_SENTENCES = (
    "They are also evaluating {c}.",
    "{c} came in about 20% cheaper, according to procurement.",
    "{c} is the incumbent and they are comparing us against it.",
    "Heard that {c} offered them a free pilot.",
)
BUDGET_SENTENCES: dict[str, tuple[str, ...]] = {
    "approved": (
        "Budget for this project is approved for this fiscal year.",
        "Funding is confirmed and earmarked for the rollout.",
    ),
    "tight": (
        "Budget is tight and they asked for a bigger discount.",
        "Pricing is a concern, we are above what they planned.",
    ),
}

PREFERENCES: dict[str, dict[str, tuple[str, ...]]] = {
    # category -> normalised value -> surface forms
    "pricing": {
        "volume discount": ("a volume discount", "tiered volume pricing"),
        "annual prepay discount": ("a discount for paying annually upfront", "a prepay discount"),
        "per-user pricing": ("per-user pricing", "pricing per seat"),
        "fixed price": ("a fixed price for the whole rollout", "a fixed-fee deal"),
    },
    "payment_terms": {
        "net 30": ("net 30", "30-day payment terms"),
        "net 60": ("net 60", "60-day payment terms"),
        "net 90": ("net 90", "payment within ninety days"),
        "quarterly invoicing": ("quarterly invoices", "invoicing every quarter"),
        "annual upfront": ("one invoice per year upfront", "annual invoicing in advance"),
    },
    "communication": {
        "prefers WhatsApp": ("WhatsApp",),
        "prefers email": ("email",),
        "prefers phone": ("the phone", "a quick phone call"),
        "prefers video calls": ("video calls", "Teams calls"),
        "prefers Slack": ("a shared Slack channel",),
        "prefers WeChat": ("WeChat",),
    },
    "product": {
        "needs SSO": ("single sign-on", "SSO with Azure AD"),
        "needs SAP integration": ("an SAP integration", "a connector to SAP"),
        "needs offline mode": ("offline mode for the field teams", "an offline mode"),
        "needs mobile app": ("a proper mobile app",),
        "needs custom reports": ("custom reporting", "a custom report builder"),
        "needs Chinese UI": ("a Chinese-language interface",),
    },
    "deployment": {
        "EU hosting": ("hosting in the EU", "EU data residency"),
        "on-premise": ("an on-premise installation", "on-prem deployment"),
        "private cloud": ("a private cloud setup", "a dedicated private cloud"),
        "US hosting": ("US-based hosting",),
        "China hosting": ("hosting inside China", "a China-region deployment"),
    },
    "timeline": {
        "go-live before Q4": ("a go-live before Q4", "going live before the fourth quarter"),
        "decision by end of quarter": ("a decision by the end of the quarter",),
        "rollout next fiscal year": ("a rollout next fiscal year",),
        "pilot within 30 days": ("a pilot within 30 days",),
        "go-live by year end": ("a go-live by year end",),
    },
}

PREFERENCE_SENTENCES: dict[str, tuple[str, ...]] = {
    "pricing": (
        "{p} asked for {v}.",
        "They will only move forward with {v}.",
        "Pricing-wise they expect {v}.",
        "{p} made clear that {v} is a must.",
        "Procurement is pushing for {v}.",
    ),
    "payment_terms": (
        "Their finance team insists on {v}.",
        "{p} asked whether we can do {v}.",
        "Payment terms have to be {v}, per {p}.",
        "Standard for them is {v}.",
    ),
    "communication": (
        "{p} prefers {v} over anything else.",
        "Best way to reach {p} is {v}.",
        "{p} asked us to keep communication on {v}.",
        "{p} rarely answers unless it's via {v}.",
    ),
    "product": (
        "{p} said they absolutely need {v}.",
        "Must-have for them is {v}.",
        "They won't go ahead without {v}.",
        "{p} asked twice about {v}.",
        "Key requirement is {v}.",
    ),
    "deployment": (
        "{p} insists on {v}.",
        "Data has to stay put, they require {v}.",
        "IT policy demands {v}.",
        "For compliance reasons they need {v}.",
        "They asked whether we support {v}.",
    ),
    "timeline": (
        "{p} is aiming for {v}.",
        "Timeline-wise they want {v}.",
        "They are planning for {v}.",
        "{p} confirmed the target is {v}.",
    ),
}

SUBJECTS: dict[str, tuple[str, ...]] = {
    "call": ("Call", "Follow-up call", "Discovery call", "Check-in call"),
    "email": ("Re: proposal", "Re: pricing", "Re: next steps", "Fwd: requirements"),
    "meeting": ("On-site meeting", "Quarterly review", "Workshop", "Demo"),
    "note": ("Account notes", "Internal note", "Deal notes"),
    "task": ("Follow up", "Send updated quote", "Prepare demo", "Chase signature"),
}
