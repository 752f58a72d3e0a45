from __future__ import annotations

from knowledge.chunking import chunk_text, estimate_tokens, split_sentences


def test_sentences_split_on_end_marks_blank_lines_and_bullets() -> None:
    text = "Anna is the CFO. She signs! Ok?\n\nNext part.\n- first point\n- second point"
    assert split_sentences(text) == [
        "Anna is the CFO.",
        "She signs!",
        "Ok?",
        "Next part.",
        "- first point",
        "- second point",
    ]


def test_chinese_sentences_split_without_spaces() -> None:
    assert split_sentences("赵总负责最终审批。王经理是技术评估人。") == [
        "赵总负责最终审批。",
        "王经理是技术评估人。",
    ]


def test_tokens_count_words_punctuation_and_each_cjk_character() -> None:
    assert estimate_tokens("The CFO signs.") == 4
    assert estimate_tokens("赵总负责") == 4


def test_a_short_note_stays_one_chunk() -> None:
    assert chunk_text("Maria signs. Peter reviews security.") == [
        "Maria signs. Peter reviews security."
    ]


def test_long_notes_are_cut_between_sentences_with_one_sentence_of_overlap() -> None:
    sentences = [f"Sentence {i} is here." for i in range(10)]  # 5 tokens each
    chunks = chunk_text(" ".join(sentences), max_tokens=20)
    assert chunks == [
        " ".join(sentences[0:4]),
        " ".join(sentences[3:7]),
        " ".join(sentences[6:10]),
    ]


def test_a_sentence_longer_than_the_budget_is_cut_on_words() -> None:
    chunks = chunk_text("one two three four five six seven", max_tokens=3, overlap=0)
    assert chunks == ["one two three", "four five six", "seven"]


def test_a_long_run_without_spaces_is_sliced() -> None:
    assert [len(c) for c in chunk_text("赵" * 45, max_tokens=20)] == [20, 20, 5]


def test_every_chunk_stays_within_the_budget() -> None:
    text = " ".join(f"Point {i} of the long security review went well." for i in range(200))
    assert all(estimate_tokens(c) <= 50 for c in chunk_text(text, max_tokens=50))
