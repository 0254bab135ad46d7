"""Figure series across speeches: restated, changed, only resembling; targets against later actuals.

Three synthetic speeches are written by the test, so every status and outcome is checked
on text the rules were not tuned on.
"""
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from conftest import kb_of, kb_rows
from pipeline.normalise.indicators import indicator_key, similar

ROOT = Path(__file__).resolve().parent.parent


def speech(issue: str, published: str, date: str, body: str) -> str:
    return (f"汉政通报\n\n第{issue}期\n\n汉中市人民政府办公室\n\n{published}\n\n"
            f"李明同志在全市工业经济推进会上的讲话\n\n（{date}）\n\n{body}\n")


SPEECHES = {
    "a.txt": speech("三", "2021年3月3日", "2021年3月1日",
                    "2020年，全市非公经济占比达到60.6%。今年全市要确保新增规上工业企业40户以上，"
                    "力争新建标准化厂房50万平方米以上。"),
    "b.txt": speech("二十", "2021年7月2日", "2021年6月30日",
                    "1-5月，全市新增规上工业企业18户。今年计划新增规上工业企业40户，全年新建标准化厂房力争达到70万平方米。"),
    "c.txt": speech("二", "2022年1月12日", "2022年1月10日",
                    "2021年，全市新增规上工业企业45户，新建标准化厂房62万平方米，全市非公经济占比达到60%。"),
}


@pytest.fixture(scope="module")
def kb(tmp_path_factory):
    return kb_of(SPEECHES, tmp_path_factory.mktemp("corpus"))


def rows(kb: Path, table: str) -> list[dict]:
    return kb_rows(kb, table)


def series(kb: Path, phrase: str) -> list[dict]:
    return [h for h in rows(kb, "figure_history") if phrase in h["indicator"]]


def test_restated_with_a_qualifier_that_moved(kb):
    s = [h for h in series(kb, "新增规上工业企业") if h["kind"] == "target"]
    assert [(h["status"], h["value"], h["qualifier"]) for h in s] == [("first", "40", ">="), ("restated", "40", "=")]
    assert s[1]["previous_qualifier"] == ">=" and s[1]["delta"] == "0"


def test_changed_with_delta(kb):
    s = [h for h in series(kb, "标准化厂房") if h["kind"] == "target"]
    assert [(h["status"], h["value"]) for h in s] == [("first", "500000"), ("changed", "700000")]
    assert s[1]["previous_value"] == "500000" and s[1]["delta"] == "200000"


def test_resembling_figures_of_two_periods_are_not_paired(kb):
    assert series(kb, "非公经济") == []


OUTCOMES = [
    ("新增规上工业企业", "40", ">=", "18", "partial", "0.45"),
    ("新增规上工业企业", "40", ">=", "45", "met", "1.125"),
    ("新增规上工业企业", "40", "=", "45", "met", "1.125"),
    ("标准化厂房", "500000", ">=", "620000", "met", "1.24"),
    ("标准化厂房", "700000", "=", "620000", "not_met", "0.8857"),
]


@pytest.mark.parametrize("phrase,target,qualifier,actual,outcome,share", OUTCOMES,
                         ids=[f"{o[0]}-{o[1]}{o[2]}-{o[3]}" for o in OUTCOMES])
def test_targets_vs_actuals(kb, phrase, target, qualifier, actual, outcome, share):
    found = [r for r in rows(kb, "targets_vs_actuals")
             if phrase in r["indicator"] and r["target_value"] == target and r["actual_value"] == actual
             and r["qualifier"] == qualifier]
    assert len(found) == 1, rows(kb, "targets_vs_actuals")
    assert found[0]["outcome"] == outcome
    assert Decimal(found[0]["share"]) == Decimal(share)


def test_every_target_actual_pair_is_listed(kb):
    assert len(rows(kb, "targets_vs_actuals")) == len(OUTCOMES)


def test_history_command_prints_the_series(kb):
    r = subprocess.run([sys.executable, "-m", "pipeline", "history", "标准化厂房", "--extracted", str(kb)],
                       capture_output=True, text=True, cwd=ROOT)
    assert r.returncode == 0
    assert "changed" in r.stdout and "700000" in r.stdout and "2021-06-30" in r.stdout


def test_history_command_says_when_nothing_matches(kb):
    r = subprocess.run([sys.executable, "-m", "pipeline", "history", "无此指标", "--extracted", str(kb)],
                       capture_output=True, text=True, cwd=ROOT)
    assert r.returncode == 1 and "no series" in r.stdout


@pytest.mark.parametrize("a,b,expected", [
    ("新建标准化厂房面积", "标准化厂房建设面积", True),
    ("动态监测重点工业项目数", "市级重点工业项目台账项目数", True),
    ("毛绒玩具企业排名", "毛绒玩具行业龙头企业排名", True),
    ("规模以上工业增加值增速", "规上工业增加值增速", True),
    ("新增规上工业企业数", "退库规上工业企业数", False),
    ("固定资产投资增速", "工业投资增速", False),
    ("新增规上服务业企业数", "新增规上工业企业数", False),
    ("城镇居民人均消费支出增速", "农村居民人均消费支出增速", False),
    ("新开工市级重点项目数", "新竣工市级重点项目数", False),
], ids=["reordered", "modifiers", "leading-firms", "synonym", "opposite-flows", "different-investment",
        "contrast-sector", "contrast-town-and-country", "contrast-stage"])
def test_indicator_paraphrases(a, b, expected):
    assert similar(indicator_key(a), indicator_key(b)) is expected


def _series_brute_force(figures):
    """series_of's grouping by its definition: every pair of a block, no ordering shortcut."""
    from collections import defaultdict

    from pipeline.link import _block, _comparable

    blocks = defaultdict(list)
    for f in figures:
        if f.indicator and f.kind in ("actual", "target", "forecast", "rank"):
            blocks[_block(f)].append(f)
    groups = set()
    for figs in blocks.values():
        parent = list(range(len(figs)))

        def find(i):
            while parent[i] != i:
                i = parent[i]
            return i

        for i in range(len(figs)):
            for j in range(i + 1, len(figs)):
                if (figs[i].doc_id != figs[j].doc_id and _comparable(figs[i].value, figs[j].value)
                        and similar(indicator_key(figs[i].indicator), indicator_key(figs[j].indicator))):
                    parent[find(i)] = find(j)
        comps = defaultdict(list)
        for i, f in enumerate(figs):
            comps[find(i)].append(f.figure_id)
        groups |= {tuple(g) for g in comps.values() if len({x.split("-")[0] for x in g}) >= 2}
    return groups


def test_series_are_the_components_of_all_pairs():
    """series_of stops pairing a figure at the first value too far from it (values sorted by size), and
    gives two series of one key (values too far apart to be one figure) two ids: the same series as
    comparing every pair, none lost, on random figures with zeros, negatives and near-ties."""
    import random

    from pipeline.link import series_of
    from pipeline.model import FigureRow

    rnd = random.Random(11)
    values = [Decimal(0), Decimal("-2"), Decimal("1"), Decimal("3"), Decimal("2.999"), Decimal("9"), Decimal("27.01"),
              Decimal("0.5"), Decimal("1.5"), Decimal("100")]
    indicators = ["规上工业增加值", "规上工业增加值增速", "新增规上工业企业", "新建标准化厂房", "标准化厂房面积"]
    for trial in range(30):
        figures = []
        for k in range(rnd.randint(2, 40)):
            doc = f"d{rnd.randint(0, 4)}"
            figures.append(FigureRow(f"{doc}-f{k:04d}", doc, f"{doc}-s0", k, k + 1, "", rnd.choice(values), None,
                                     "%", "=", rnd.choice(["actual", "target"]), rnd.choice(indicators), "安康市",
                                     "2020", None, None, ""))
        got = {tuple(f.figure_id for f in g) for g in series_of(figures, {}).values()}
        assert got == _series_brute_force(figures), trial


def test_similarity_is_the_better_of_edit_ratio_and_overlap():
    """similarity() computes only the character-overlap F1: it is never below rapidfuzz's ratio, so it equals
    max(ratio, overlap F1), the definition the threshold was chosen with."""
    import random
    from collections import Counter

    from rapidfuzz import fuzz

    from pipeline.normalise.indicators import similar, similarity

    rnd = random.Random(11)
    chars = "规上工业增加值增速企业数面积投资新建标准化厂房"
    for _ in range(3000):
        a = "".join(rnd.choice(chars) for _ in range(rnd.randint(1, 12)))
        b = "".join(rnd.choice(chars) for _ in range(rnd.randint(1, 12)))
        f1 = 2 * sum((Counter(a) & Counter(b)).values()) / (len(a) + len(b))
        assert similarity(a, b) == pytest.approx(max(fuzz.ratio(a, b) / 100, f1), abs=1e-12)
        assert similar(a, b) == (a == b or max(fuzz.ratio(a, b) / 100, f1) >= 0.8)


def test_similar_lengths_bound_exactly_the_keys_similar_can_accept():
    from pipeline.normalise.indicators import _threshold, similar_lengths

    t = _threshold()
    for n in range(1, 80):
        lo, hi = similar_lengths(n)
        for m in range(1, 160):
            assert (lo <= m <= hi) == (2 * min(n, m) >= t * (n + m)), (n, m)


def test_similar_among_is_similar_asked_of_every_key():
    """The bit-set bound only skips keys similar() rejects: on random keys over a small alphabet (many
    repeats, many near misses) and on real indicator keys, the result is the plain filter's, in order."""
    import random

    from pipeline.normalise.indicators import similar_among

    rng = random.Random(5)
    alphabet = "工业产值增速企业数投资额规上新增亿元"
    keys = ["".join(rng.choice(alphabet) for _ in range(rng.randint(1, 9))) for _ in range(400)]
    keys += [indicator_key(k) for k in ("规上工业增加值增速", "规模以上工业增加值增速", "固定资产投资增速",
                                        "社会消费品零售总额", "新增规上工业企业数", "工业投资增速")]
    hits = 0
    for a in keys[:150] + keys[-6:]:
        plain = [k for k in keys if similar(a, k)]
        assert similar_among(a, keys) == plain, a
        hits += len(plain)
    assert hits > 156, "the sample must hold similar pairs besides each key itself"
    assert similar_among("", keys) == []


def test_known_rows_are_kept_and_only_new_documents_pairs_made(tmp_path):
    """targets_vs_actuals with the rows of an earlier call (a rerun after a change) gives the rows of linking
    everything: whichever documents are new, gone or kept, and however rows of gone documents read."""
    from pipeline.config import load_settings
    from pipeline.corpus import run
    from pipeline.link import targets_vs_actuals

    corpus = tmp_path / "c"
    corpus.mkdir()
    for name, text in SPEECHES.items():
        (corpus / name).write_text(text, encoding="utf-8")
    tables = run(corpus, tmp_path / "kb", load_settings(corpus, ner=False), progress=False).tables
    figures, docs = tables["figures"], {d.doc_id: d for d in tables["documents"]}
    key = lambda r: (r.target_id, r.actual_figure_id)  # noqa: E731
    full = sorted(targets_vs_actuals(figures, docs), key=key)
    assert len(full) == len(OUTCOMES)
    ids = sorted(docs)
    ghost = full[0].__class__(*(("gone-t000001", "gone-f000002") + tuple(vars(full[0]).values())[2:]))
    for linked_then in ([], ids, ids[:1], ids[1:], [ids[0], ids[2]]):
        then = frozenset(linked_then) | {"gone"}
        rows_then = [r for r in full if r.target_id[:16] in then and r.actual_figure_id[:16] in then] + [ghost]
        again = targets_vs_actuals(figures, docs, (then, rows_then))
        assert sorted(again, key=key) == full, linked_then
    assert targets_vs_actuals(figures, docs, (frozenset(ids), [])) == [], "rows between known documents are kept"
