"""The stage table is pinned: order, and every input provided before it is needed."""
import pytest

from pipeline.runner import DOC_STAGES, Stage, check_order


def test_stage_list_is_pinned():
    assert [s.name for s in DOC_STAGES] == ["clean", "metadata", "segment", "figures", "deadlines", "entities",
                                            "document"]


def test_stage_order_is_valid():
    check_order()


def test_missing_input_is_reported():
    bad = (Stage("figures", lambda c: None, ("sentences",), ("figures",)),)
    with pytest.raises(RuntimeError, match="requires"):
        check_order(bad, ("source",))
