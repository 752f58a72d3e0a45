"""Charts for Slack where a picture says it better: the pipeline funnel and a power map.

PNG bytes drawn with matplotlib's Agg backend (imported on first use, never at import
time), attached to the thread with ``files_upload_v2``.
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING, Any

from knowledge.power_map import PowerMap
from tools.pipeline import PipelineByStage

if TYPE_CHECKING:
    from matplotlib.figure import Figure

STANCE_X = {"opposed": -1.0, "neutral": 0.0, "supportive": 1.0}
INFLUENCE_Y = {"low": 0.0, "medium": 1.0, "high": 2.0}
ROLE_COLOURS = {
    "decision_maker": "#1f77b4",
    "champion": "#2ca02c",
    "influencer": "#9467bd",
    "technical_evaluator": "#17becf",
    "blocker": "#d62728",
    "gatekeeper": "#ff7f0e",
}


def _figure(width: float, height: float) -> Figure:
    from matplotlib.figure import Figure  # no pyplot: no global state, no GUI backend

    return Figure(figsize=(width, height), dpi=100, layout="constrained")


def _png(figure: Figure) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


def funnel_png(result: PipelineByStage) -> bytes:
    """Open amount (full bar) and weighted amount (inner bar) per stage, first stage on top."""
    stages = [row.stage for row in result.stages][::-1]
    amounts = [row.amount for row in result.stages][::-1]
    weighted = [row.weighted_amount for row in result.stages][::-1]
    figure = _figure(7, 0.6 * len(stages) + 1.5)
    axes = figure.add_subplot()
    axes.barh(stages, amounts, color="#c6dbef", label="open amount")
    axes.barh(stages, weighted, height=0.4, color="#2171b5", label="weighted")
    for y, (amount, row) in enumerate(zip(amounts, result.stages[::-1], strict=True)):
        axes.text(amount, y, f" {row.count} · {amount:,.0f}", va="center", fontsize=8)
    axes.set_xlabel(f"amount ({result.currency})")
    axes.set_title(f"Open pipeline as of {result.as_of.isoformat()}")
    axes.legend(loc="lower right", fontsize=8)
    return _png(figure)


def power_map_png(result: PowerMap) -> bytes:
    """Members by stance (x) and influence (y), coloured by decision role."""
    figure = _figure(7, 4.5)
    axes = figure.add_subplot()
    for index, member in enumerate(result.members):
        x = STANCE_X.get(member.stance or "", 0.0) + 0.08 * (index % 3 - 1)
        y = INFLUENCE_Y.get(member.influence or "", 0.5) + 0.1 * (index % 2)
        colour = ROLE_COLOURS.get(member.role, "#7f7f7f")
        axes.scatter([x], [y], s=220, color=colour, edgecolors="black", zorder=2)
        axes.annotate(f"{member.name}\n{member.role.replace('_', ' ')}", (x, y), fontsize=7,
                      xytext=(8, 4), textcoords="offset points")  # fmt: skip
    axes.set_xticks(list(STANCE_X.values()), list(STANCE_X))
    axes.set_yticks(list(INFLUENCE_Y.values()), [f"{k} influence" for k in INFLUENCE_Y])
    axes.set_xlim(-1.6, 1.9)
    axes.set_ylim(-0.6, 2.6)
    axes.grid(alpha=0.3)
    axes.set_title(f"Power map: {result.opportunity_name or result.account_name or ''}")
    return _png(figure)


CHARTS: dict[str, tuple[str, Any]] = {
    "pipeline_by_stage": ("pipeline.png", lambda r: funnel_png(PipelineByStage.model_validate(r))),
    "power_map": ("power_map.png", lambda r: power_map_png(PowerMap.model_validate(r))),
}


def charts_for(calls: list[Any]) -> list[tuple[str, bytes]]:
    """(file name, PNG) for each traced call that has a chart and members or stages to draw."""
    files = []
    for call in calls:
        if (
            call.name in CHARTS
            and call.result
            and (call.result.get("stages") or call.result.get("members"))
        ):
            name, draw = CHARTS[call.name]
            files.append((name, draw(call.result)))
    return files
