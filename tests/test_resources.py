"""Every data file is described in resources/MANIFEST.toml, and every described file exists."""
from pathlib import Path

import pytest

from pipeline.resources import load_toml, load_tsv

RES = Path(__file__).resolve().parent.parent / "pipeline" / "resources"


def _files(folder: str) -> list[str]:
    return sorted(p.name for p in (RES / folder).iterdir() if p.is_file())


@pytest.mark.parametrize("folder", ["rules", "lexicons"])
def test_manifest_covers_every_file(folder):
    described = set(load_toml("MANIFEST.toml")[folder])
    assert set(_files(folder)) <= described, set(_files(folder)) - described


@pytest.mark.parametrize("name", _files("lexicons"))
def test_lexicons_have_a_header_and_rows(name):
    rows = load_tsv(f"lexicons/{name}")
    first = next(iter(rows[0]))
    assert rows and all(r[first] for r in rows), name  # every row names its key (later columns may be optional)


def test_any_word_finds_a_text_holding_one_of_the_words():
    """resources.any_word: a text matches when it holds any of the words (regex-special ones literally),
    and the longest word wins where several start together."""
    from pipeline.resources import any_word

    rx = any_word(["项目", "工程", "重点工程", "a.b", "“"])
    assert rx.search("推进重点工程建设").group() == "重点工程"
    assert rx.search("一个项目") and rx.search("“某某”") and rx.search("xa.by")
    assert not rx.search("axb") and not rx.search("全年增长5%")
