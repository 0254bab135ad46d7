"""Shared set-up for the analyst notebooks: where the KB is, how to read it, how charts look.

- kb("figures") reads extracted/figures.csv with the contract's columns always present
  (so a missing or header-only table gives an empty frame, never a KeyError), numbers
  as numbers and dates as dates.
- setup() registers the CJK font by file path and turns matplotlib's missing-glyph
  warnings into errors, so a chart that would show boxes instead of Chinese fails.
- save(fig, "name") writes notebooks/figures/name.png.

Environment overrides (used by the tests): BULLETIN_KB (folder of CSVs),
BULLETIN_FIGURES (folder for PNGs), BULLETIN_CJK_FONT (a .otf/.ttf/.ttc file).
"""
from __future__ import annotations

import os
import warnings
from pathlib import Path

import matplotlib
import matplotlib.pyplot as plt
import pandas as pd
from matplotlib import font_manager

HERE = Path(__file__).resolve().parent
KB_DIR = Path(os.environ.get("BULLETIN_KB", HERE.parent / "extracted"))
FIG_DIR = Path(os.environ.get("BULLETIN_FIGURES", HERE / "figures"))

# The columns of each table (shared/KB_SCHEMA.md): present even when a CSV is missing or short.
COLUMNS = {
    "documents": ["doc_id", "source", "sources", "format", "sha256", "bulletin", "issue_no", "published_on",
                  "speech_date", "speaker", "title", "note", "city", "n_chars", "n_sentences"],
    "sentences": ["doc_id", "sentence_id", "start", "end", "section", "text"],
    "figures": ["figure_id", "doc_id", "sentence_id", "start", "end", "mention", "value", "value_max", "unit",
                "qualifier", "kind", "indicator", "scope", "period", "compared_to", "direction", "sentence"],
    "targets": ["target_id", "figure_id", "doc_id", "start", "end", "mention", "value", "value_max", "unit",
                "qualifier", "indicator", "scope", "period", "commitment", "sentence"],
    "deadlines": ["deadline_id", "doc_id", "start", "end", "mention", "date", "task", "responsible", "sentence"],
    "mentions": ["mention_id", "doc_id", "start", "end", "mention", "type", "entity_id", "method"],
    "entities": ["entity_id", "type", "name", "aliases", "owner_entity_id", "doc_count", "first_seen", "last_seen"],
    "figure_history": ["series_id", "indicator", "scope", "period", "kind", "unit", "doc_id", "speech_date",
                       "figure_id", "value", "qualifier", "status", "previous_figure_id", "previous_value",
                       "previous_qualifier", "delta"],
    "targets_vs_actuals": ["target_id", "actual_figure_id", "indicator", "scope", "target_period", "actual_period",
                           "target_value", "qualifier", "actual_value", "outcome", "share"],
    "errors": ["source", "stage", "error", "message"],
}
NUMBERS = {"value", "value_max", "previous_value", "delta", "target_value", "actual_value", "share"}
INTEGERS = {"start", "end", "n_chars", "n_sentences", "issue_no", "doc_count"}
DATES = {"speech_date", "published_on", "first_seen", "last_seen", "date"}

# Where a CJK font is looked for, in order. The first is what `make` installs (requirements.lock).
SYSTEM_FONTS = [
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",  # Debian: fonts-noto-cjk
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",  # Debian: fonts-wqy-microhei
]
MISSING_GLYPH = r"(?s).*(missing from (the )?(current )?font|does not have a glyph)"


def kb(name: str) -> pd.DataFrame:
    """One table of the KB as a DataFrame: text as str (empty cells missing), values as floats,
    counts and offsets as nullable integers (Int64), dates as datetimes."""
    path = KB_DIR / f"{name}.csv"
    df = pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""]) if path.exists() else pd.DataFrame()
    for col in COLUMNS.get(name, []):
        if col not in df.columns:
            df[col] = pd.Series(dtype=str, index=df.index)
    for col in df.columns:
        if col in NUMBERS:
            df[col] = pd.to_numeric(df[col], errors="coerce")
        elif col in INTEGERS:
            df[col] = pd.to_numeric(df[col], errors="coerce").astype("Int64")
        elif col in DATES:
            df[col] = pd.to_datetime(df[col], errors="coerce", format="ISO8601")
        else:
            df[col] = df[col].astype(str).where(df[col].notna())
    return df


def txt(value, default: str = "") -> str:
    """A cell as display text: missing (NaN/NA/None) becomes default."""
    return default if value is None or pd.isna(value) else str(value)


def speeches() -> pd.DataFrame:
    """documents.csv ordered by speech date, with a short label for charts (date + title or speaker)."""
    docs = kb("documents").sort_values(["speech_date", "doc_id"], na_position="last").reset_index(drop=True)
    date = docs["speech_date"].dt.strftime("%Y-%m-%d").fillna("日期不详")
    who = docs["title"].fillna(docs["speaker"]).fillna("（无标题 " + docs["doc_id"].str.slice(0, 6) + "）")
    docs["label"] = date + " " + who.astype(str).str.slice(0, 14)
    return docs


def cjk_font_path() -> Path:
    """The CJK font file: $BULLETIN_CJK_FONT, else the pinned PyPI package, else a Debian font package."""
    candidates = [os.environ.get("BULLETIN_CJK_FONT")]
    try:
        import pylopdf_fonts_zh_cn  # Noto Sans SC (OFL-1.1), pinned in requirements.lock

        candidates.append(str(pylopdf_fonts_zh_cn.sans_path()))
    except ImportError:
        pass
    candidates += SYSTEM_FONTS
    for c in candidates:
        if c and Path(c).is_file():
            return Path(c)
    raise RuntimeError("No CJK font found: run `make notebooks` (installs pylopdf-fonts-zh-cn from "
                       "requirements.lock) or `apt-get install fonts-noto-cjk`, or set BULLETIN_CJK_FONT.")


def setup() -> str:
    """Register the CJK font, make missing glyphs an error, set pandas/matplotlib defaults. Returns the font name."""
    path = cjk_font_path()
    font_manager.fontManager.addfont(str(path))
    name = font_manager.FontProperties(fname=str(path)).get_name()
    matplotlib.rcParams.update({
        "font.family": "sans-serif",
        "font.sans-serif": [name, "DejaVu Sans"],
        "axes.unicode_minus": False,
        "text.parse_math": False,  # a "$" in a mention is text, not mathtext
        "figure.dpi": 100,
        "savefig.dpi": 120,
        "figure.figsize": (9, 4.5),
        "axes.spines.top": False,
        "axes.spines.right": False,
    })
    # A missing glyph is drawn as a box: fail the cell instead (matplotlib warns while drawing).
    warnings.filterwarnings("error", message=MISSING_GLYPH)
    pd.set_option("display.max_rows", 200)
    pd.set_option("display.max_colwidth", 60)
    pd.set_option("display.width", 200)
    FIG_DIR.mkdir(parents=True, exist_ok=True)
    return name


def save(fig, name: str) -> None:
    """Save a chart as figures/<name>.png (drawing it here, so a missing glyph fails this cell)."""
    FIG_DIR.mkdir(parents=True, exist_ok=True)
    fig.savefig(FIG_DIR / f"{name}.png", bbox_inches="tight", metadata={"Software": None})


def no_data(title: str, note: str = "暂无数据 (no rows yet)"):
    """A placeholder chart for an empty table, so every notebook still saves every figure."""
    fig, ax = plt.subplots(figsize=(6, 2))
    ax.set_axis_off()
    ax.set_title(title)
    ax.text(0.5, 0.5, note, ha="center", va="center", fontsize=12, color="grey", transform=ax.transAxes)
    return fig


QUALIFIER_SIGN = {">=": "≥", ">": ">", "<=": "≤", "<": "<", "~": "约", "from_bottom": "倒数"}


def fmt_figure(value, unit=None, qualifier=None) -> str:
    """fmt_value with the qualifier in front: (500000, 平方米, >=) -> ≥50万平方米."""
    return QUALIFIER_SIGN.get(txt(qualifier), "") + fmt_value(value, unit)


def fmt_value(value, unit=None) -> str:
    """A base-unit value as an analyst would write it: 500000 平方米 -> 50万平方米, 1.64e9 元 -> 16.4亿元."""
    if value is None or pd.isna(value):
        return ""
    unit = "" if unit is None or pd.isna(unit) else str(unit)
    v = float(value)
    if unit not in ("%", "百分点", "倍", "位", "年") and abs(v) >= 1e8:
        return f"{v / 1e8:.4g}亿{unit}"
    if unit not in ("%", "百分点", "倍", "位", "年") and abs(v) >= 1e4:
        return f"{v / 1e4:.4g}万{unit}"
    return f"{v:.4g}{unit}"


def lookup(keys: pd.Series, table: pd.DataFrame, key: str, column: str) -> pd.Series:
    """For each value of keys, table[column] on the (first) row whose table[key] equals it; missing if none.

    Like keys.map(table.set_index(key)[column]), but safe on empty tables and duplicate keys.
    """
    mapping = table.drop_duplicates(key).set_index(key)[column]
    return pd.Series(mapping.reindex(keys.to_numpy()).to_numpy(), index=keys.index, name=column, dtype=mapping.dtype)
