from __future__ import annotations

import pytest

from prompts.render import PromptError, available, load, render, slots

SAMPLES: dict[str, str | int | float] = {
    "company": "Acme Sales",
    "caller_name": "Rob Rep",
    "caller_role": "rep",
    "as_of": "2026-06-30",
    "currency": "EUR",
    "violations": "12,345 (not in any tool result)",
    "focus": "account_id=A1, opportunity_id=O7",
}


@pytest.mark.parametrize("name", available())
def test_every_template_renders_with_sample_values_and_leaves_no_slot(name: str) -> None:
    wanted = slots(load(name))
    assert wanted <= SAMPLES.keys(), f"add sample values for {wanted - SAMPLES.keys()}"
    text = render(name, **{k: SAMPLES[k] for k in wanted})
    assert "$" not in text.replace("$$", "")
    for key in wanted:
        assert str(SAMPLES[key]) in text


def test_a_missing_value_is_an_error_naming_it() -> None:
    with pytest.raises(PromptError, match="caller_name"):
        render("system", company="x", caller_role="rep", as_of="d", currency="EUR")


def test_an_unknown_value_is_an_error() -> None:
    with pytest.raises(PromptError, match="colour"):
        render("number_guard", violations="1", colour="red")


def test_an_unknown_template_is_an_error() -> None:
    with pytest.raises(PromptError, match="nope"):
        load("nope")
