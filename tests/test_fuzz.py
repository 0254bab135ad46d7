"""Hypothesis-generated documents through the whole per-document pipeline and the corpus stages.

Documents mix bulletin phrases, numbers with units, dates and deadlines, headings, header and footer
lines, punctuation, every kind of whitespace and line end, markup, full-width and Traditional
characters, and random Unicode. For each: no exception, the offset contract (test_offsets.check_rows)
holds on every row, and the CSVs read back to the same cells.
"""
from __future__ import annotations

import csv
import dataclasses
import io
import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.config import PROJECT_DIR, load_settings
from pipeline.corpus import link_corpus
from pipeline.model import SourceDoc
from pipeline.runner import process_document
from pipeline.write import TABLES, _csv_rows, _csv_rows_plain, _kb_json, cell, csv_text, jsonable
from test_offsets import check_rows

SETTINGS = load_settings(ner=False)

PHRASES = ["全市规上工业增加值同比增长", "新建标准化厂房", "县域工业集中区完成投资", "新引进毛绒玩具企业",
           "安康市", "汉滨区", "旬阳市", "力争全年", "确保", "比上年下降", "高于全省", "个百分点", "位居全省第",
           "中云科技智能终端项目", "禾瑞光电有限公司", "请大家认真抓好落实", "要在", "完成", "以上", "左右",
           "同期", "累计", "其中", "由市工信局牵头负责", "今年以来", "过去一年"]
UNITS = ["%", "％", "个百分点", "万元", "亿元", "万平方米", "平方米", "亩", "吨", "人", "户", "家", "个", "条",
         "场次", "倍", "位", "万千瓦", "千米", ""]
NUMBERS = st.one_of(
    st.integers(0, 10**9).map(str),
    st.decimals(0, 10**6, places=2, allow_nan=False, allow_infinity=False).map(str),
    st.sampled_from(["一", "两", "三十五", "一百", "1.09万", "16.4亿", "十三五", "１２．５", "50余", "3-5", "20至30"]),
)
DATES = st.sampled_from(["（2020年2月28日）", "2021年3月1日", "3月底前", "年底前", "6月30日前", "2020年1-5月",
                         "一季度", "本月15日", "下周", "2016—2020年", "上半年"])
LAYOUT = st.sampled_from(["一、", "（一）", "(二)", "一是", "二要", "第一，", "第九期", "安政通报",
                          "安康市人民政府办公室 2020 年 3 月 1 日", "主送：各县区人民政府", "抄送：市委办公室",
                          "- 3 -", "第 2 页 共 5 页", "7"])
PUNCT = st.sampled_from(list("。，；：、！？“”‘’（）()《》「」…—-·.,;:!?\"'"))
SPACE = st.sampled_from([" ", "  ", "\t", "\n", "\n\n", "\r", "\r\n", "\r\n\r\n", "\u3000", "\u00a0", "\u200b",
                         "\ufeff", "\x0b", "\x0c", "\u2028", "\x85"])
MARKUP = st.sampled_from(["**", "__", "<br>", "<br/>", "<p>", "</p>", "<b>", "</b>", "<span class=\"x\">",
                          "&nbsp;", "&amp;", "<", ">", "*", "<50%"])
TRADITIONAL = st.sampled_from(["們", "個", "這", "國", "經濟發展", "產業", "會議", "縣區", "為", "與", "實施",
                               "進一步", "對", "開發區", "動工", "服務", "領導", "還將"])
CORPUS_SENTENCES = sorted({s for p in (PROJECT_DIR / "corpus").glob("*.txt")
                           for s in p.read_text(encoding="utf-8").replace("\n", "").split("。") if 8 <= len(s) <= 120})
HEADER = "第九期\n安康市人民政府办公室 2020 年 3 月 1 日\n（2020 年 2 月 28 日）\n"
DEADLINES = st.sampled_from(["要在3月底前完成", "6月30日前全部建成投产", "年底前实现", "力争5月10日前开工"])
ENTITY_SENTENCES = [  # sentences the entity rules take mentions from (nested, listed, quoted)
    "禾瑞光电、沣康医药、中云科技智能终端、汇美思毛绒玩具等一批工业项目落地生根。",
    "要支持市内北医大、圣鑫、华晔等口罩、消杀物资生产企业达产达效，切实解决防控物资紧缺难题。",
    "突出抓好旬阳烟厂、泸康酒厂、华银科技、宝通专用车、奥邦锻造等重点企业开足马力满负荷生产。",
    "要加快旬阳水电站、白河水电站、锂电新能源、西北电子信息基地等项目建设，力促年内竣工投产一批。",
    "按照“招商项目抓落地、在建项目抓推进”的思路，加快推进金思铭生物药新品开发等276个重点项目建设。",
]
CHUNK = st.one_of(
    st.sampled_from(PHRASES), st.sampled_from(CORPUS_SENTENCES), st.sampled_from(ENTITY_SENTENCES), DEADLINES,
    st.builds("".join, st.tuples(NUMBERS, st.sampled_from(UNITS))),
    DATES, LAYOUT, PUNCT, SPACE, SPACE, MARKUP, TRADITIONAL, st.text(max_size=6),
)
DOCUMENT = st.builds(lambda head, body: head + "".join(body),
                     st.sampled_from(["", HEADER, HEADER.replace("\n", "\r\n"), "**" + HEADER]),
                     st.lists(CHUNK, min_size=1, max_size=80))


def _tables(result) -> dict[str, list]:
    tables = link_corpus([result], [])
    assert {r.doc_id for r in tables["targets"]} <= {result.document.doc_id}
    return tables


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(DOCUMENT)
def test_any_document_keeps_the_offset_contract(text):
    result = process_document(SourceDoc(text, "txt", "utf-8", ["fuzz.txt"]), SETTINGS)
    assert result.document.n_chars == len(text)
    tables = _tables(result)
    bad = check_rows(tables, {result.document.doc_id: text})
    assert not bad, "\n".join(bad[:10])


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(DOCUMENT)
def test_csv_cells_read_back(text):
    """What csv_text writes, csv.reader (newline='') reads back cell for cell: mentions with \\r, quotes,
    commas and line breaks included."""
    tables = _tables(process_document(SourceDoc(text, "txt", "utf-8", ["fuzz.txt"]), SETTINGS))
    for name, cls, *_ in TABLES:
        rows = tables.get(name, [])
        back = list(csv.reader(io.StringIO(csv_text(cls, rows), newline="")))
        names = back[0]
        assert back[1:] == [[cell(getattr(r, n)) for n in names] for r in rows], name
        assert _csv_rows(cls, rows) == _csv_rows_plain(cls, rows), name  # the shortcut writes the same text


def _kb_json_reference(tables) -> bytes:
    """kb.json as the plain nested json.dumps that write._kb_json streams row by row."""
    def rec(r):
        return {k: jsonable(v) for k, v in dataclasses.asdict(r).items()}

    docs = []
    for d in tables["documents"]:
        entry = rec(d)
        for name in ("sentences", "figures", "targets", "deadlines", "mentions"):
            entry[name] = [rec(r) for r in tables[name] if r.doc_id == d.doc_id]
        docs.append(entry)
    series: dict[str, dict] = {}
    for h in tables["figure_history"]:
        series.setdefault(h.series_id, {"series_id": h.series_id, "indicator": h.indicator, "scope": h.scope,
                                        "period": h.period, "kind": h.kind, "unit": h.unit, "statements": []}
                          )["statements"].append(rec(h))
    kb = {"documents": docs, "entities": [rec(e) for e in tables["entities"]], "series": list(series.values()),
          "targets_vs_actuals": [rec(t) for t in tables["targets_vs_actuals"]],
          "errors": [rec(e) for e in tables["errors"]]}
    return (json.dumps(kb, ensure_ascii=False, indent=1) + "\n").encode("utf-8")


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(DOCUMENT, min_size=0, max_size=3))
def test_kb_json_is_the_plain_json_dump(texts):
    """The streamed kb.json has exactly the bytes of json.dumps of the nested KB (0 to 3 documents)."""
    results = [process_document(SourceDoc(t, "txt", "utf-8", [f"f{i}.txt"]), SETTINGS) for i, t in enumerate(texts)]
    results = list({r.document.doc_id: r for r in results}.values())
    tables = link_corpus(results, [])
    assert _kb_json(tables) == _kb_json_reference(tables)


def test_strategy_reaches_the_extractors():
    """Guard against a strategy that never produces figures or sentences (then the properties say little)."""
    text = "（2020年2月28日）\r\n一、全市规上工业增加值同比增长**12.5%**，\r\n新建标準化厂房50万\n平方米，3月底前完成。"
    result = process_document(SourceDoc(text, "txt", "utf-8", ["x.txt"]), SETTINGS)
    assert result.sentences and result.figures
    assert not check_rows(_tables(result), {result.document.doc_id: text})


JSON_VALUES = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(-10**20, 10**20), st.floats(allow_nan=True), st.text(max_size=8)),
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=4), inner, max_size=4),
                            st.tuples(inner)),
    max_leaves=20)


@settings(max_examples=400, deadline=None)
@given(JSON_VALUES, st.integers(0, 3))
def test_direct_json_is_json_dumps(obj, indent):
    """write._dumps (nested dicts and lists written directly, the rest by json) is json.dumps(indent=1)
    re-indented, for any JSON-able value: NaN, infinities, tuples, control characters and line separators."""
    from pipeline.write import _dumps

    expected = json.dumps(obj, ensure_ascii=False, indent=1).replace("\n", "\n" + " " * indent)
    assert _dumps(obj, indent) == expected


@settings(max_examples=400, deadline=None)
@given(st.decimals(allow_nan=False) | st.decimals(-10**6, 10**6, places=4))
def test_jsonable_decimal_is_json_of_its_cell(v):
    """A Decimal goes into kb.json as json.loads reads its CSV cell (int or float), parsed without json."""
    got, expected = jsonable(v), json.loads(cell(v))
    assert type(got) is type(expected)
    assert got == expected
