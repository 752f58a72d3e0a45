"""The power map tool: who decides on an account or deal, read from the notes.

The committee is the merged reading of the extracted role facts
(:func:`crm.insights.buying_committee`, merge rule documented there) plus every other
contact of the account with role ``unknown``; the gaps
(:func:`crm.insights.committee_gaps`) are the ones deal health and next-best-action use.
"""

from __future__ import annotations

from pydantic import BaseModel, Field

from crm.insights import (
    CommitteeGap,
    CommitteeMember,
    buying_committee,
    committee_gaps,
    with_silent_contacts,
)
from crm.models import Account
from tools.catalog import tool
from tools.context import ToolContext
from tools.errors import InvalidArgument
from tools.records import MAX_IDS, get_account, get_opportunity


class PowerMap(BaseModel):
    """The buying committee of an account or opportunity and its gaps."""

    account_id: str | None = Field(description="The account the committee belongs to.")
    account_name: str | None = Field(description="The account's name.")
    opportunity_id: str | None = Field(description="The deal, when the map is for one deal.")
    opportunity_name: str | None = Field(description="The deal's name.")
    members: list[CommitteeMember] = Field(
        description="Each known person: role, stance, influence, last interaction, evidence; "
        "decision makers first, contacts no note mentions last with role 'unknown'."
    )
    gaps: list[CommitteeGap] = Field(
        description="Weaknesses: no decision maker, no champion, a high-influence blocker, "
        "single-threaded."
    )
    note_ids: list[str] = Field(description="Ids of the notes behind the roles (capped).")
    note_count: int = Field(description="How many notes the roles rest on.")


@tool
def power_map(
    ctx: ToolContext, *, account_id: str | None = None, opportunity_id: str | None = None
) -> PowerMap:
    """Map the buying committee of an account or deal: who decides, who champions, who blocks.

    Use for "who is the decision maker at Acme", "who supports us on this deal", "map
    the power structure". Each contact comes with title, role (decision_maker, champion,
    influencer, technical_evaluator, user, gatekeeper, blocker, unknown), stance,
    influence, last interaction and the note sentences behind it, plus the committee's
    gaps. Give exactly one of the two ids.

    Args:
        ctx: The caller's tool context (scope, as_of); the model never sends it.
        account_id: The account whose committee to map (all its notes).
        opportunity_id: The deal whose committee to map (its notes and the account's
            notes not tied to another deal).
    """
    if (account_id is None) == (opportunity_id is None):
        raise InvalidArgument("give exactly one of account_id or opportunity_id")
    if opportunity_id is not None:
        opp = get_opportunity(ctx, opportunity_id)
        account = ctx.session.get(Account, opp.account_id) if opp.account_id else None
    else:
        opp, account = None, get_account(ctx, str(account_id))
    acc_id = account.id if account else None
    members = buying_committee(
        ctx.session,
        account_id=acc_id,
        opportunity_id=opportunity_id,
        before=ctx.as_of_end,
        owner_filter=ctx.scope.owner_filter,
    )
    members = with_silent_contacts(ctx.session, members, account_id=acc_id, before=ctx.as_of_end)
    notes = sorted({e.activity_id for m in members for e in m.evidence})
    return PowerMap(
        account_id=acc_id,
        account_name=account.name if account else None,
        opportunity_id=opportunity_id,
        opportunity_name=opp.name if opp else None,
        members=members,
        gaps=committee_gaps(members, before=ctx.as_of_end),
        note_ids=notes[:MAX_IDS],
        note_count=len(notes),
    )


ROLE_COLOURS = {
    "decision_maker": "#1f77b4",
    "champion": "#2ca02c",
    "blocker": "#d62728",
    "influencer": "#9467bd",
    "technical_evaluator": "#ff7f0e",
    "gatekeeper": "#8c564b",
    "user": "#17becf",
    "unknown": "#7f7f7f",
}
_STANCES = ("opposed", "neutral", "supportive", None)
_INFLUENCES = ("low", "medium", "high", None)


def _slot(levels: tuple[str | None, ...], value: str | None) -> int:
    return levels.index(value) if value in levels else len(levels) - 1


def power_map_png(result: PowerMap) -> bytes:
    """Render a power map as a PNG (stance across, influence up, colour = role) for Slack.

    People whose stance or influence the notes do not state sit in the "?" column/row.
    """
    import io

    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 5), dpi=100)
    placed: dict[tuple[int, int], int] = {}
    for member in result.members:
        cell = (_slot(_STANCES, member.stance), _slot(_INFLUENCES, member.influence))
        offset = placed.get(cell, 0)
        placed[cell] = offset + 1
        x, y = cell[0], cell[1] + 0.18 * offset - 0.3
        ax.scatter(x, y, s=260, color=ROLE_COLOURS.get(member.role, "#7f7f7f"), zorder=2)
        ax.annotate(f"{member.name}\n{member.role.replace('_', ' ')}", (x, y),
                    xytext=(12, -4), textcoords="offset points", fontsize=7)  # fmt: skip
    ax.set_xticks(range(4), ["opposed", "neutral", "supportive", "?"])
    ax.set_yticks(range(4), ["low", "medium", "high", "?"])
    ax.set_xlim(-0.5, 3.9)
    ax.set_ylim(-0.6, 3.6)
    ax.set_xlabel("stance")
    ax.set_ylabel("influence")
    ax.grid(alpha=0.3)
    title = result.opportunity_name or result.account_name or "buying committee"
    ax.set_title(f"Power map: {title}", fontsize=10)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", bbox_inches="tight")
    plt.close(fig)
    return buffer.getvalue()
