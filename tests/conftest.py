import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def fresh_kb(tmp_path_factory) -> Path:
    """The KB of corpus/ as a clean run writes it now (default settings, no cache)."""
    from pipeline.config import load_settings
    from pipeline.corpus import run

    out = tmp_path_factory.mktemp("kb") / "extracted"
    run(ROOT / "corpus", out, load_settings(ROOT / "corpus"), progress=False, cache_dir=None)
    return out


@pytest.fixture()
def corpus_copy(tmp_path) -> Path:
    dst = tmp_path / "corpus"
    shutil.copytree(ROOT / "corpus", dst)
    return dst
