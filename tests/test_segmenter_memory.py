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
