"""Chinese phrasings for notes on accounts in China (``{p}`` is e.g. 赵总 or Zhao Wei)."""

from __future__ import annotations

ROLE_SENTENCES_ZH: dict[str, tuple[str, ...]] = {
    "decision_maker": (
        "{p}负责最终审批。",
        "最后拍板的是{p}。",
        "预算由{p}说了算。",
        "合同需要{p}签字。",
    ),
    "champion": (
        "{p}在内部大力推动这个项目。",
        "{p}很支持我们，主动帮我们安排内部会议。",
        "{p}是我们在客户内部的支持者。",
    ),
    "influencer": (
        "{p}的意见对管理层影响很大。",
        "{p}虽然不签字，但老板很听取{p}的建议。",
        "{p}参与供应商评选，会给管理层提建议。",
    ),
    "technical_evaluator": (
        "{p}负责技术评估。",
        "{p}会测试接口和单点登录。",
        "技术方面的问题都要经过{p}。",
    ),
    "user": (
        "{p}的团队是日常使用者。",
        "{p}每天都会用报表功能。",
        "{p}以后会在现场使用这个系统。",
    ),
    "gatekeeper": (
        "要见老板必须先通过{p}。",
        "{p}负责安排所有供应商会议。",
        "所有采购文件都要先经过{p}。",
    ),
    "blocker": (
        "{p}反对这个项目，想继续用现在的供应商。",
        "{p}一直在阻止采购流程。",
        "{p}对迁移工作量意见很大，不同意换系统。",
    ),
}

INTROS_ZH = ("今天和{full}通了电话。", "拜访了{full}（{title}）。", "和{full}开了个会。")

NEUTRAL_MENTIONS_ZH = ("{p}今天请假了。", "把会议纪要发给了{p}。", "{p}下周出差。")

LOGISTICS_ZH = (
    "已发送报价单。",
    "下周二重新安排演示。",
    "已寄出合同，等待回复。",
    "约了下个月回访。",
)

PREFERENCES_ZH: dict[str, tuple[tuple[str, str], ...]] = {
    # category -> (normalised value, sentence with optional {p})
    "pricing": (("volume discount", "{p}希望按采购量给折扣。"),),
    "payment_terms": (("net 60", "付款条件希望是60天账期。"), ("net 90", "{p}要求90天账期。")),
    "communication": (("prefers WeChat", "{p}更喜欢用微信沟通。"),),
    "product": (("needs Chinese UI", "{p}说必须要有中文界面。"),),
    "deployment": (("China hosting", "数据必须部署在中国境内。"),),
    "timeline": (("go-live by year end", "{p}希望年底前上线。"),),
}

SENIOR_TITLES = frozenset({"CEO", "Managing Director", "CFO", "CTO", "VP Sales"})
"""Titles addressed as 某总 in Chinese notes; others as 某经理."""
