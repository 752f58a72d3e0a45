"""``dealwise ask "question"`` and ``dealwise chat``: the assistant in the terminal.

``ask`` answers one question (rich markdown, or the whole ``Answer`` with ``--json``);
pass ``--thread`` with the printed thread id to follow up. ``chat`` is a multi-turn
REPL with line history: ``/user ID`` switches the caller (and starts a new thread),
``/trace`` shows the last turn's tool calls, ``/new`` starts a new thread, ``/quit``
leaves. The default caller is the first admin (the demo admin after ``dealwise demo``).
"""

from __future__ import annotations

import contextlib
import json
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markdown import Markdown
from rich.table import Table

from api.cli.common import AsOfOption, UserOption, console, fail, settings_with, store_engine

if TYPE_CHECKING:
    import datetime as dt

    from assistant.answer import Answer
    from assistant.service import Assistant

HELP = "Commands: /user ID (switch caller), /trace (last tool calls), /new (new thread), /quit"


def register(app: typer.Typer) -> None:
    """Add the commands to ``app``."""
    app.command("ask")(ask)
    app.command("chat")(chat)


def ask(
    question: Annotated[str, typer.Argument(help="The question, in your own words.")],
    user: UserOption = None,
    as_of: AsOfOption = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the whole answer as JSON.")
    ] = False,
    thread: Annotated[
        str | None, typer.Option("--thread", help="Continue this thread (id from a former answer).")
    ] = None,
) -> None:
    """Answer one question about your customers and pipeline."""
    if as_json:
        print_json(question, user, as_of, thread)
        return
    assistant, caller = _open(as_of, user)
    answer = _ask(assistant, question, caller, thread)
    show(answer)
    console.print(f"[dim]follow up with --thread {answer.thread_id}[/]")


def print_json(question: str, user: str | None, as_of: dt.date | None, thread: str | None) -> None:
    """Write the whole answer as exactly one JSON document on stdout, and nothing else.

    Whatever a library prints while the question is answered goes to stderr instead.
    """
    stdout = sys.stdout
    with contextlib.redirect_stdout(sys.stderr):
        assistant, caller = _open(as_of, user)
        answer = _ask(assistant, question, caller, thread)
    stdout.write(answer.model_dump_json(indent=2) + "\n")
    stdout.flush()


def chat(user: UserOption = None, as_of: AsOfOption = None) -> None:
    """Talk with the assistant: a multi-turn conversation in the terminal."""
    import readline  # noqa: F401  (line editing and history for input())

    assistant, caller = _open(as_of, user)
    console.print(f"[bold]Dealwise[/] — asking as [cyan]{caller}[/]. {HELP}")
    run_chat(assistant, caller, lambda: console.input("[bold green]you>[/] "))


def run_chat(assistant: Assistant, caller: str, read: Callable[[], str]) -> None:
    """The REPL loop: read lines until ``/quit`` or end of input."""
    thread: str | None = None
    last: Answer | None = None
    while True:
        try:
            line = read().strip()
        except (EOFError, KeyboardInterrupt):
            break
        command, _, rest = line.partition(" ")
        if not line:
            continue
        if command == "/quit":
            break
        if command == "/new":
            thread = None
            console.print("[dim]new thread[/]")
        elif command == "/user" and rest.strip():
            caller, thread = rest.strip(), None
            console.print(f"[dim]now asking as {caller} (new thread)[/]")
        elif command == "/trace":
            show_trace(last)
        elif command.startswith("/"):
            console.print(f"[yellow]{HELP}[/]")
        else:
            last = _chat_turn(assistant, line, caller, thread) or last
            thread = last.thread_id if last else thread


def _chat_turn(assistant: Assistant, line: str, caller: str, thread: str | None) -> Answer | None:
    try:
        answer = _ask(assistant, line, caller, thread)
    except typer.Exit:  # already printed; the conversation goes on
        return None
    show(answer)
    return answer


def show(answer: Answer) -> None:
    """Print an answer as markdown, with its notice and a one-line trace summary."""
    console.print(Markdown(answer.text))
    if answer.notice:
        console.print(f"[yellow]note:[/] {answer.notice}")
    tools = ", ".join(c.name for c in answer.tool_calls) or "no tools"
    console.print(f"[dim]{answer.planner} planner · {tools} · {len(answer.citations)} sources[/]")


def show_trace(answer: Answer | None) -> None:
    """Print the tool calls of ``answer`` as a table."""
    if answer is None or not answer.tool_calls:
        console.print("[dim]no tool calls yet[/]")
        return
    table = Table(title="tool calls of the last turn")
    for column in ("tool", "args", "outcome", "ms"):
        table.add_column(column)
    for call in answer.tool_calls:
        outcome = f"[red]{call.error}[/]" if call.error else "ok"
        table.add_row(call.name, json.dumps(call.args), outcome, f"{call.duration_ms:.1f}")
    console.print(table)


def _open(as_of: dt.date | None, user: str | None) -> tuple[Assistant, str]:
    from sqlmodel import Session

    from assistant.runtime import first_admin_id
    from assistant.service import Assistant
    from crm.scope import UnknownUser

    settings = settings_with(as_of)
    engine = store_engine(settings)
    if user is None:
        with Session(engine) as session:
            try:
                user = first_admin_id(session)
            except UnknownUser as exc:
                raise fail(str(exc)) from exc
    return Assistant(settings, engine), user


def _ask(assistant: Assistant, question: str, caller: str, thread: str | None) -> Answer:
    from assistant.memory import UnknownThread
    from crm.scope import UnknownUser

    try:
        return assistant.ask(question, caller=caller, thread_id=thread)
    except (UnknownUser, UnknownThread) as exc:
        raise fail(str(exc)) from exc
