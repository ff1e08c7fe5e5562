import random

from nerwb.corpus.segments import segment_article


def test_segments_map_back_exactly_and_respect_length() -> None:
    rng = random.Random(3)
    words = ["militia", "attack", "killed", "people.", "The", "group", "said", "Kata'ib"]
    paragraphs = [
        " ".join(rng.choice(words) for _ in range(rng.randint(5, 120))) for _ in range(30)
    ]
    text = "\n\n".join(paragraphs)
    segments = segment_article("a1", text, 400)
    assert len(segments) > 5
    for seg in segments:
        assert seg.text == text[seg.start : seg.end]
        assert len(seg.text) <= 400
        assert seg.text == seg.text.strip()
    covered = "".join(text[s.start : s.end] for s in segments)
    assert covered.replace(" ", "").replace("\n", "") == text.replace(" ", "").replace("\n", "")


def test_segments_cut_at_paragraph_before_sentence() -> None:
    text = "First paragraph one. Still one.\n\nSecond paragraph here."
    segments = segment_article("a", text, 35)
    assert [s.text for s in segments] == [
        "First paragraph one. Still one.",
        "Second paragraph here.",
    ]
    long_para = "One sentence here. Two sentence here. Three sentence here."
    assert [s.text for s in segment_article("b", long_para, 40)] == [
        "One sentence here. Two sentence here.",
        "Three sentence here.",
    ]


def test_segments_short_article_is_one_segment() -> None:
    segments = segment_article("a", "  Short text.  ", 2000)
    assert [(s.start, s.end, s.id) for s in segments] == [(2, 13, "a#0")]
    assert segments[0].to_article(0, 5) == (2, 7)
