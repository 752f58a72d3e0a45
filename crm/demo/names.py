"""Name pools: countries, people (incl. Chinese names with characters), companies, cities."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Culture:
    """How people are named in one language area."""

    female: tuple[str, ...]
    male: tuple[str, ...]
    family: tuple[str, ...]
    family_first: bool = False


EN = Culture(
    female=(
        "Emma",
        "Olivia",
        "Sarah",
        "Laura",
        "Rachel",
        "Megan",
        "Hannah",
        "Grace",
        "Chloe",
        "Jessica",
        "Amy",
        "Natalie",
        "Claire",
        "Rebecca",
        "Kate",
    ),
    male=(
        "James",
        "Daniel",
        "Michael",
        "David",
        "Thomas",
        "Ryan",
        "Andrew",
        "Matthew",
        "Chris",
        "Ben",
        "Oliver",
        "Jack",
        "Nathan",
        "Paul",
        "Mark",
    ),
    family=(
        "Miller",
        "Thompson",
        "Walker",
        "Harris",
        "Carter",
        "Bennett",
        "Collins",
        "Hughes",
        "Morgan",
        "Reed",
        "Foster",
        "Brooks",
        "Parker",
        "Wright",
        "Turner",
        "Campbell",
        "Mitchell",
        "Howard",
        "Ward",
        "Cooper",
        "Price",
        "Sullivan",
    ),
)
DE = Culture(
    female=(
        "Anna",
        "Julia",
        "Katrin",
        "Sabine",
        "Lena",
        "Miriam",
        "Franziska",
        "Petra",
        "Claudia",
        "Nina",
    ),
    male=(
        "Jonas",
        "Lukas",
        "Stefan",
        "Markus",
        "Tobias",
        "Florian",
        "Jens",
        "Matthias",
        "Andreas",
        "Felix",
    ),
    family=(
        "Müller",
        "Schneider",
        "Fischer",
        "Weber",
        "Wagner",
        "Becker",
        "Hoffmann",
        "Schulz",
        "Koch",
        "Richter",
        "Klein",
        "Wolf",
        "Neumann",
        "Schwarz",
        "Braun",
    ),
)
FR = Culture(
    female=("Camille", "Chloé", "Manon", "Léa", "Sophie", "Claire", "Émilie", "Inès"),
    male=("Julien", "Nicolas", "Antoine", "Mathieu", "Pierre", "Hugo", "Louis", "Olivier"),
    family=(
        "Martin",
        "Bernard",
        "Dubois",
        "Laurent",
        "Lefebvre",
        "Moreau",
        "Girard",
        "Fournier",
        "Mercier",
        "Rousseau",
        "Blanc",
        "Garnier",
    ),
)
NL = Culture(
    female=("Sanne", "Femke", "Lotte", "Eva", "Anouk", "Marloes"),
    male=("Daan", "Bram", "Sander", "Joost", "Ruben", "Thijs"),
    family=(
        "de Vries",
        "Jansen",
        "van Dijk",
        "Bakker",
        "Visser",
        "Smit",
        "Meijer",
        "de Boer",
        "Mulder",
        "Bos",
    ),
)
SV = Culture(
    female=("Elin", "Maja", "Ingrid", "Karin", "Sofia", "Linnea"),
    male=("Erik", "Johan", "Anders", "Oskar", "Magnus", "Henrik"),
    family=(
        "Lindqvist",
        "Johansson",
        "Andersson",
        "Nilsson",
        "Berg",
        "Holm",
        "Lund",
        "Sandberg",
        "Ekström",
    ),
)
ES = Culture(
    female=("Lucía", "María", "Carmen", "Elena", "Paula", "Marta", "Sara", "Alba"),
    male=("Javier", "Carlos", "Pablo", "Diego", "Alejandro", "Sergio", "Marco", "Luca"),
    family=(
        "García",
        "Fernández",
        "López",
        "Martínez",
        "Romero",
        "Navarro",
        "Rossi",
        "Ferrari",
        "Esposito",
        "Bianchi",
        "Ricci",
        "Moreno",
    ),
)
JA = Culture(
    female=("Yuki", "Aiko", "Haruka", "Mei", "Sakura"),
    male=("Hiroshi", "Takeshi", "Kenji", "Daisuke", "Ryo"),
    family=(
        "Tanaka",
        "Suzuki",
        "Takahashi",
        "Watanabe",
        "Ito",
        "Yamamoto",
        "Nakamura",
        "Kobayashi",
    ),
    family_first=True,
)

ZH_FAMILY: dict[str, str] = {
    "Zhao": "赵",
    "Wang": "王",
    "Li": "李",
    "Zhang": "张",
    "Liu": "刘",
    "Chen": "陈",
    "Yang": "杨",
    "Huang": "黄",
    "Zhou": "周",
    "Wu": "吴",
    "Xu": "徐",
    "Sun": "孙",
    "Ma": "马",
    "Zhu": "朱",
    "Hu": "胡",
    "Guo": "郭",
    "Lin": "林",
    "He": "何",
}
"""Chinese family names (pinyin -> character); Chinese notes call people e.g. 赵总."""

ZH = Culture(
    female=("Na", "Fang", "Jing", "Min", "Yan", "Ying", "Hui", "Xiaoling"),
    male=("Wei", "Qiang", "Lei", "Jun", "Yong", "Jie", "Tao", "Ming", "Chao"),
    family=tuple(ZH_FAMILY),
    family_first=True,
)

COUNTRIES: dict[str, tuple[float, Culture, str]] = {
    # country: (weight, naming culture, legal-form suffix)
    "United States": (0.20, EN, "Inc."),
    "Germany": (0.15, DE, "GmbH"),
    "United Kingdom": (0.12, EN, "Ltd"),
    "France": (0.08, FR, "SAS"),
    "Netherlands": (0.06, NL, "B.V."),
    "China": (0.08, ZH, "Co., Ltd."),
    "Sweden": (0.05, SV, "AB"),
    "Spain": (0.05, ES, "S.L."),
    "Italy": (0.04, ES, "S.p.A."),
    "Canada": (0.05, EN, "Inc."),
    "Australia": (0.04, EN, "Pty Ltd"),
    "Japan": (0.04, JA, "K.K."),
    "Singapore": (0.04, EN, "Pte. Ltd."),
}

TITLES: dict[str, tuple[float, str]] = {
    # title: (weight, most likely decision role)
    "CEO": (0.08, "decision_maker"),
    "Managing Director": (0.05, "decision_maker"),
    "CFO": (0.08, "decision_maker"),
    "CTO": (0.07, "technical_evaluator"),
    "VP Sales": (0.07, "champion"),
    "Head of Operations": (0.07, "champion"),
    "Head of Procurement": (0.08, "gatekeeper"),
    "Purchasing Manager": (0.06, "blocker"),
    "IT Manager": (0.09, "technical_evaluator"),
    "Operations Manager": (0.09, "user"),
    "Finance Manager": (0.06, "influencer"),
    "Marketing Director": (0.05, "influencer"),
    "Office Manager": (0.07, "gatekeeper"),
    "Sales Analyst": (0.04, "user"),
    "Data Engineer": (0.04, "user"),
}
