"""The stage table is pinned: order, declared inputs and outputs, and a context that enforces them."""
import pytest

from pipeline.runner import DOC_STAGES, StageContext, StageContractError, check_order, process_document, run_stages
from pipeline.stages import Stage

PINNED = [
    ("clean", ("source",), ("doc_id", "clean", "header_n")),
    ("metadata", ("source", "clean", "header_n", "settings"), ("meta",)),
    ("segment", ("source", "doc_id", "clean", "header_n", "meta", "settings"), ("document",)),
    ("figures", ("document",), ("figures",)),
    ("deadlines", ("document",), ("deadlines",)),
    ("entities", ("document", "settings"), ("mentions",)),
    ("rows", ("document",), ("document_row", "sentence_rows")),
]


def test_stage_table_is_pinned():
    assert [(s.name, s.requires, s.provides) for s in DOC_STAGES] == PINNED


def test_stage_order_is_valid():
    check_order()


def test_missing_input_is_reported():
    bad = (Stage("figures", lambda c: None, ("sentences",), ("figures",)),)
    with pytest.raises(RuntimeError, match="requires"):
        check_order(bad, ("source",))


def _sneaky_read(ctx):
    ctx["figures"] = len(ctx["source"])  # "source" is not declared below


def _sneaky_write(ctx):
    ctx["figures"] = 1
    ctx["mentions"] = []  # "mentions" is not declared below


def _lazy(ctx):
    pass  # declares "figures" but never writes it


@pytest.mark.parametrize("fn,message", [
    (_sneaky_read, "reads 'source', which it does not require"),
    (_sneaky_write, "writes 'mentions', which it does not provide"),
    (_lazy, "did not provide"),
], ids=["undeclared-read", "undeclared-write", "missing-output"])
def test_the_context_refuses_what_a_stage_did_not_declare(fn, message):
    stage = Stage("sneaky", fn, ("document",), ("figures",))
    with pytest.raises(StageContractError, match=message):
        run_stages({"document": object(), "source": "text"}, (stage,))


def test_a_declared_read_and_write_pass():
    stage = Stage("fine", lambda ctx: ctx.__setitem__("figures", ctx["document"]), ("document",), ("figures",))
    assert run_stages({"document": 7}, (stage,))["figures"] == 7
    assert isinstance(StageContext({}, stage), StageContext)


def test_every_real_stage_keeps_to_its_declaration():
    """The whole table runs on a bulletin through StageContexts: no stage reads or writes anything else."""
    from pipeline.config import Settings
    from pipeline.model import SourceDoc

    text = ("第一期\n\n示例市人民政府办公室 2022年3月1日\n\n（2022年2月28日）\n\n"
            "一、抓好项目\n\n全市规上工业增加值增长8%。6月底前要完成宏鑫光电等项目建设。\n")
    out = run_stages({"source": SourceDoc(text, "txt", "utf-8", ["a.txt"]), "settings": Settings(ner=False)})
    assert out["figures"] and out["deadlines"] and out["document_row"].doc_id == out["doc_id"]


def test_a_document_leaves_no_cyclic_garbage():
    """executor.settle freezes what a finished document leaves alive, which is safe because reference
    counting frees all of a document's garbage: after a warm-up document, processing another and dropping
    its result leaves the cyclic collector nothing to collect."""
    import gc
    from pathlib import Path

    from pipeline.config import load_settings
    from pipeline.write import prerender
    from pipeline.inputs import discover, read_inputs

    corpus = Path(__file__).resolve().parent.parent / "corpus"
    docs, _ = read_inputs(corpus, discover(corpus))
    settings = load_settings(corpus)
    process_document(docs[0], settings)
    gc.collect()
    was = gc.isenabled()
    gc.disable()
    try:
        for d in docs[1:3]:
            result = process_document(d, settings)  # what executor._safe does before settle()
            result.rendered = prerender(result)
            assert result.figures and result.rendered
            del result
            assert gc.collect() == 0, d.sources
    finally:
        if was:
            gc.enable()


def test_a_run_collects_cycles_rarely_and_restores_the_thresholds_after():
    import gc

    from pipeline.corpus import GC_THRESHOLDS, fewer_gc_passes

    before = gc.get_threshold()
    with fewer_gc_passes():
        assert gc.get_threshold() == GC_THRESHOLDS and GC_THRESHOLDS[0] > before[0]
    assert gc.get_threshold() == before
