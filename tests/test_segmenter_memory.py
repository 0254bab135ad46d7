"""The segmenter every worker holds keeps jieba_next's compiled route and lets the tokenizer's FREQ go: its
words are the full tokenizer's (and so jieba's: test_segmenters compares the tokenizer with jieba)."""
import random

from pipeline.segmenters import JiebaSegmenter, new_tokenizer
from tests.test_segmenters import _corpus_lines


def _lines() -> list[str]:
    lines = _corpus_lines() + ["汇美思毛绒玩具ABC-12.5%项目，。", "龘靐齉爩 2021年1-5月 α β", "a\r\nb  c\t", "", " ",
                               "旬阳烟厂泸康酒厂扩建", "规上工业增加值增长11.4%，新建标准化厂房61万平方米。"]
    lines += [s[i:i + 3 + i % 17] for s in lines[::5] for i in range(0, len(s), 7)]  # parts, as the rules cut
    rnd = random.Random(11)
    chars = "".join(set("".join(lines)))
    lines += ["".join(rnd.choice(chars) for _ in range(rnd.randint(1, 30))) for _ in range(3000)]  # odd runs
    return lines


def test_the_lean_segmenter_cuts_as_the_tokenizer():
    seg, tok = JiebaSegmenter(), new_tokenizer(userdict=True)
    lines = _lines()
    assert [seg.cut(s) for s in lines] == [tok.lcut(s, HMM=True) for s in lines]


def test_the_lean_segmenter_holds_no_python_dictionary():
    """No dict, list or tokenizer among what the segmenter keeps: the words are in the compiled trie."""
    seg = JiebaSegmenter()
    assert "_route" in vars(seg)
    assert not any(isinstance(v, (dict, list, set)) or hasattr(v, "FREQ") for v in vars(seg).values())


def test_the_trie_from_the_dictionary_table_routes_as_the_tokenizers():
    """The segmenter's trie, built from dictionary.entries() and the kept total, gives the route of the
    tokenizer's own trie (built from its FREQ) on every Han block of the lines; the total is the tokenizer's."""
    from pipeline.segmenters import route_total

    seg, tok = JiebaSegmenter(), new_tokenizer(userdict=True)
    tok._ensure_rust_prefix()
    assert route_total() == tok.total
    han = seg._blocks[0]
    blocks = [b for s in _lines() for b in han.split(s) if b and han.match(b)]
    assert len(blocks) > 3000
    assert [seg._route(b) for b in blocks] == [tok._rust_prefix.get_dag_and_calc(b) for b in blocks]
