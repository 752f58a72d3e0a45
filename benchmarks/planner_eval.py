"""Offline planner quality on ``benchmarks/data/planner_eval.yaml`` (demo world, seed 7).

For every case the planner answers as the case's caller (cases sharing a ``thread`` run
in order in one conversation). Routing: the set of tools called equals ``tools``.
Arguments: each expected tool was called with at least the expected ``args``. Figure:
the expected tool is called directly with the expected args and the value at ``path``
must appear in the answer (a number under any human format the number guard accepts,
or a name as text). ``says`` and ``ask`` cases check the wording instead. Prints the
three accuracies for the dev and the held-out cases separately.

Run: ``python -m benchmarks planner_eval [--db PATH] [--verbose]``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy.engine import Engine
from sqlmodel import Session

from assistant.guard import figures_in, ungrounded
from assistant.offline import OfflinePlanner
from assistant.planner import ThreadMemory, Turn
from tools.catalog import ToolSpec, load_catalog
from tools.context import ToolContext

AS_OF = dt.date(2026, 6, 30)
SEED = 7
EVAL_SET = Path(__file__).parent / "data" / "planner_eval.yaml"


@dataclass
class Score:
    """Hits and totals of the three measures."""

    routing: list[bool] = field(default_factory=list)
    args: list[bool] = field(default_factory=list)
    figure: list[bool] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)

    def line(self, name: str) -> str:
        """One printed line."""
        parts = [f"{name:8s}"]
        for label, hits in (("routing", self.routing), ("arguments", self.args),
                            ("figures", self.figure)):  # fmt: skip
            share = sum(hits) / len(hits) if hits else float("nan")
            parts.append(f"{label} {share:6.1%} ({sum(hits)}/{len(hits)})")
        return "  ".join(parts)


def demo_engine(path: Path | None) -> Engine:
    """The demo world at ``path`` (built there, scale 1, if the file does not exist)."""
    from crm.db import create_all, make_engine
    from crm.demo import build_demo

    target = path or Path(tempfile.mkdtemp()) / "demo.db"
    engine = make_engine(f"sqlite:///{target}")
    if not target.exists() or target.stat().st_size == 0:
        create_all(engine)
        build_demo(engine, scale=1, seed=SEED, as_of=AS_OF)
    return engine


def value_at(data: Any, path: str) -> Any:
    """The value at a dotted path (list indices allowed); ``None`` when absent."""
    for part in path.split("."):
        if isinstance(data, list):
            data = data[int(part)] if part.isdigit() and int(part) < len(data) else None
        elif isinstance(data, dict):
            data = data.get(part)
        if data is None:
            return None
    return data


def shows(text: str, value: Any) -> bool:
    """Whether the answer shows ``value`` (a number in any accepted format, or a name)."""
    if isinstance(value, bool) or value is None:
        return True
    if isinstance(value, int | float):
        return any(not ungrounded(fig.text, [value]) for fig in figures_in(text))
    return str(value).lower() in text.lower()


def expected_figure(case: dict[str, Any], ctx: ToolContext, catalog: dict[str, ToolSpec]) -> Any:
    """The figure the answer must show, from calling the tool directly."""
    spec = case["figure"]
    args = case.get("args", {}).get(spec["tool"], {})
    try:
        result = catalog[spec["tool"]].call(ctx, args).model_dump(mode="json")
    except Exception:
        return None
    return value_at(result, spec["path"])


def score_case(
    case: dict[str, Any], out: Any, ctx: ToolContext, catalog: Any, score: Score
) -> None:
    """Score one answered case into ``score``."""
    called = {c.name: c.args for c in out.tool_calls}
    routed = set(called) == set(case["tools"])
    score.routing.append(routed)
    ok_args = routed and all(
        all(str(called[tool].get(k)) == str(v) for k, v in expected.items())
        for tool, expected in case.get("args", {}).items()
    )
    score.args.append(ok_args)
    ok = True
    if "figure" in case:
        ok = shows(out.text, expected_figure(case, ctx, catalog))
    if "says" in case:
        ok = case["says"].lower() in out.text.lower()
    if case.get("ask"):
        ok = out.text.rstrip().endswith("?") and not out.tool_calls
    score.figure.append(ok)
    if not (routed and ok_args and ok):
        score.failures.append(
            f"[{case['caller']}] {case['q']!r}: expected {case['tools']} "
            f"{case.get('args', {})}, got {called}; figure ok={ok}"
        )


def evaluate(engine: Engine, cases: list[dict[str, Any]]) -> Score:
    """Answer and score every case."""
    planner, catalog, score = OfflinePlanner(), load_catalog(), Score()
    threads: dict[str, ThreadMemory] = {}
    with Session(engine) as session:
        for case in cases:
            ctx = ToolContext.for_user(session, case["caller"], AS_OF)
            key = case.get("thread") or f"single-{id(case)}"
            memory = threads.setdefault(key, ThreadMemory(thread_id=key))
            out = planner.answer(Turn(case["q"], ctx, catalog, memory))
            memory.focus = {**memory.focus, **out.focus}
            memory.turns.append((case["q"], out.text))
            score_case(case, out, ctx, catalog, score)
    return score


def main(argv: list[str]) -> None:
    """Print routing, argument and figure accuracy on the dev and held-out cases."""
    parser = argparse.ArgumentParser(prog="planner_eval")
    parser.add_argument("--db", type=Path, help="demo world SQLite file (built if missing)")
    parser.add_argument("--verbose", action="store_true", help="list every failed case")
    parser.add_argument("--split", choices=["dev", "holdout", "all"], default="all")
    opts = parser.parse_args(argv)
    data = yaml.safe_load(EVAL_SET.read_text("utf-8"))
    engine = demo_engine(opts.db)
    splits = ["dev", "holdout"] if opts.split == "all" else [opts.split]
    print(f"offline planner on the demo world (scale 1, seed {SEED}, as_of {AS_OF})")
    for split in splits:
        score = evaluate(engine, data[split])
        print(score.line(split) + f"  [{len(data[split])} questions]")
        if opts.verbose:
            for failure in score.failures:
                print("   ", failure)
