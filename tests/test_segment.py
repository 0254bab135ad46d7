"""Sentences keep quotes whole; section paths follow the markers a speech uses."""
import pytest

from pipeline.segment import heading_marker, segment, split_sentences


def sentences(text):
    return [text[s:e] for s, e in split_sentences(text, 0, len(text))]


@pytest.mark.parametrize("text,expected", [
    ("增长11.4%；占比60.6%。完成了。", ["增长11.4%；", "占比60.6%。", "完成了。"]),
    ("寄予“乐业才能安居。解决好就业问题”的期望。下一句。", ["寄予“乐业才能安居。解决好就业问题”的期望。", "下一句。"]),
    ("他说：“好。”然后走了", ["他说：“好。”", "然后走了"]),
    ("真的吗？是的！", ["真的吗？", "是的！"]),
], ids=["semicolon", "quote-kept-whole", "closing-quote-stays", "question-exclamation"])
def test_split_sentences(text, expected):
    assert sentences(text) == expected


@pytest.mark.parametrize("sentence,expected", [
    ("一、肯定成绩", ("chapter", "一")),
    ("（三）加快项目建设。", ("part", "（三）")),
    ("第二，抓好春茶生产。", ("ordinal", "第二")),
    ("三要强化跟踪督办。", ("item", "三要")),
    ("一季度主要指标下滑。", None),
    ("三个确保要求。", None),
], ids=["chapter", "part", "ordinal", "item", "quarter-not-heading", "count-not-heading"])
def test_heading_marker(sentence, expected):
    assert heading_marker(sentence) == expected


def test_section_paths_nest_and_reset():
    text = "\n".join([
        "一、总体要求", "过去一年成绩很好。一是形势稳定。全市增长。二是开放加快。", "这些成绩来之不易。",
        "二、重点工作", "（一）复工复产。", "要抓好。", "（二）项目建设。", "一要加快。", "二要强化。",
    ])
    spans = segment(text, 0)
    got = {text[s.start:s.end]: s.section for s in spans}
    assert got["过去一年成绩很好。"] == "一"
    assert got["全市增长。"] == "一/一是"
    assert got["二是开放加快。"] == "一/二是"
    assert got["这些成绩来之不易。"] == "一"          # inline items end with their paragraph
    assert got["要抓好。"] == "二/（一）"
    assert got["一要加快。"] == "二/（二）/一要"
    assert got["二要强化。"] == "二/（二）/二要"


def _plain_split_terminals(text, start, end):
    """The character-by-character scan that segment._split_terminals replaced: the reference it must equal."""
    from pipeline.resources import punctuation

    ends, closing = punctuation("sentence_end"), punctuation("sentence_close")
    q_open, q_close = punctuation("quoted_speech", "open"), punctuation("quoted_speech", "close")
    out, depth, s, i = [], 0, start, start
    while i < end:
        ch = text[i]
        if ch in q_open:
            depth += 1
        elif ch in q_close and depth:
            depth -= 1
            if depth == 0 and i > start and text[i - 1] in ends:
                out.append((s, i + 1))
                s = i = i + 1
                continue
        elif ch in ends and depth == 0:
            j = i + 1
            while j < end and text[j] in closing:
                j += 1
            out.append((s, j))
            s = i = j
            continue
        i += 1
    if s < end and text[s:end].strip():
        out.append((s, end))
    return out


def test_split_terminals_is_the_plain_scan():
    """On the bulletins and on random strings dense in ends, closing marks and quotes, with any start and end."""
    import random
    from pathlib import Path

    from pipeline.resources import punctuation
    from pipeline.segment import _split_terminals

    root = Path(__file__).resolve().parent.parent
    texts = [p.read_text(encoding="utf-8") for p in sorted((root / "corpus").glob("*.txt"))]
    marks = "".join(sorted(punctuation("sentence_end") | punctuation("sentence_close")
                           | punctuation("quoted_speech", "open") | punctuation("quoted_speech", "close")))
    rng = random.Random(11)
    texts += ["".join(rng.choice(marks + "好的 \n") for _ in range(rng.randint(0, 40))) for _ in range(3000)]
    for t in texts:
        a = rng.randint(0, len(t))
        b = rng.randint(a, len(t))
        for start, end in ((0, len(t)), (a, b)):
            assert _split_terminals(t, start, end) == _plain_split_terminals(t, start, end), (t, start, end)
