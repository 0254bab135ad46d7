# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     notebook_metadata_filter: -jupytext.text_representation.jupytext_version
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 2. Restated and changed figures
#
# `figure_history.csv` holds every figure that is stated in two or more speeches:
# a *series* is one (indicator, scope, period, kind). The first statement is
# `first`; each later one is `restated` (same value) or `changed` (with `delta` =
# value − previous value). See `shared/KB_SCHEMA.md`, "figure_history".
#
# Set `INDICATOR` below to draw one indicator across speeches; leave it empty for
# the indicator stated most often.

# %% tags=["parameters"]
INDICATOR = "新建标准化厂房面积"  # the indicator to draw over time ("" = the most stated one)
MAX_PANELS = 12  # series drawn in the small-multiples chart

# %%
import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.ticker import FuncFormatter

from _style import fmt_figure, fmt_value, kb, lookup, no_data, save, setup, txt

print("CJK font:", setup())
history = kb("figure_history").sort_values(["series_id", "speech_date", "doc_id"]).reset_index(drop=True)
figures = kb("figures")
history["mention"] = lookup(history["figure_id"], figures, "figure_id", "mention")
print(f"{history['series_id'].nunique()} series, {len(history)} statements, "
      f"{(history['status'] == 'changed').sum()} changed, {(history['status'] == 'restated').sum()} restated")

# %% [markdown]
# ## Every series at a glance
# One row per series: how often it was stated, its values in order, and how it moved.

# %%
history["shown"] = [fmt_figure(v, u, q) for v, u, q in zip(history["value"], history["unit"], history["qualifier"])]
series = (history.groupby("series_id", sort=False)
          .agg(indicator=("indicator", "first"), scope=("scope", "first"), period=("period", "first"),
               kind=("kind", "first"), unit=("unit", "first"), statements=("figure_id", "count"),
               first_seen=("speech_date", "min"), last_seen=("speech_date", "max"),
               values=("shown", " → ".join), statuses=("status", lambda s: " → ".join(s.fillna("?"))),
               changed=("status", lambda s: int((s == "changed").sum())))
          .reset_index())
series

# %% [markdown]
# ## Every statement of every series
# `mention` is the text as it stands in the speech; `previous_*` is the latest
# statement from an earlier speech.

# %%
history[["series_id", "indicator", "scope", "period", "kind", "speech_date", "mention", "value", "unit",
         "qualifier", "status", "previous_value", "previous_qualifier", "delta", "doc_id"]]

# %% [markdown]
# ## Changes
# Every `changed` statement, with the previous statement's date, the delta and the
# relative change; then restatements whose qualifier moved (e.g. 40户以上 → 40户).

# %%
changes = history[history["status"] == "changed"].copy()
changes["previous_date"] = lookup(changes["previous_figure_id"], history, "figure_id", "speech_date")
changes["change_%"] = (100 * changes["delta"] / changes["previous_value"].where(changes["previous_value"] != 0)).round(1)
changes["from → to"] = [f"{fmt_figure(p, u, pq)} → {fmt_figure(v, u, q)}" for p, v, u, pq, q in
                        zip(changes["previous_value"], changes["value"], changes["unit"], changes["previous_qualifier"],
                            changes["qualifier"])]
changes[["indicator", "scope", "period", "kind", "previous_date", "speech_date", "from → to", "previous_value",
         "value", "delta", "change_%", "previous_qualifier", "qualifier"]]

# %%
moved = history[(history["status"] == "restated") & history["previous_qualifier"].notna()
                & (history["previous_qualifier"] != history["qualifier"])]
moved[["indicator", "scope", "period", "speech_date", "value", "unit", "previous_qualifier", "qualifier"]]

# %% [markdown]
# ## Timeline of one indicator
# Every statement of `INDICATOR` by speech date: one line per series (scope, period,
# kind), from `figure_history.csv`; an indicator stated in one speech only is drawn
# from `figures.csv`. One panel per unit.

# %%
def pick_indicator(wanted: str) -> tuple[str, pd.DataFrame]:
    for table in (history, figures):
        if wanted and (table["indicator"] == wanted).any():
            return wanted, table[table["indicator"] == wanted]
    for table in (history, figures):  # fall back: the indicator stated most often
        counts = table["indicator"].dropna().value_counts()
        if len(counts):
            if wanted:
                print(f"{wanted!r} is not in the KB; drawing {counts.index[0]!r} instead")
            return counts.index[0], table[table["indicator"] == counts.index[0]]
    return wanted, history.iloc[0:0]


indicator, rows = pick_indicator(INDICATOR)
rows = rows.copy()
if "speech_date" not in rows:  # statements from figures.csv: take the date from documents.csv
    rows["speech_date"] = lookup(rows["doc_id"], kb("documents"), "doc_id", "speech_date")
rows = rows.dropna(subset=["speech_date", "value"]).sort_values("speech_date")
rows["status"] = rows["status"] if "status" in rows else "stated"
rows[["speech_date", "scope", "period", "kind", "value", "unit", "qualifier", "status"]]

# %%
if rows.empty:
    fig = no_data(f"指标时间线 {indicator or '（无）'}")
else:
    units = list(dict.fromkeys(rows["unit"].fillna("")))
    fig, axes = plt.subplots(len(units), 1, figsize=(9, 3.6 * len(units)), squeeze=False)
    for ax, unit in zip(axes[:, 0], units):
        part = rows[rows["unit"].fillna("") == unit]
        for key, g in part.groupby(["scope", "period", "kind"], dropna=False, sort=False):
            label = " · ".join(txt(k, "—") for k in key)
            ax.plot(g["speech_date"], g["value"], marker="o", label=label)
            for _, r in g.iterrows():
                ax.annotate(f"{fmt_figure(r['value'], unit, r['qualifier'])}\n{r['status']}", (r["speech_date"], r["value"]),
                            xytext=(0, 8), textcoords="offset points", ha="center", fontsize=8)
        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: fmt_value(v)))  # 500000 -> 50万
        ax.set_ylabel(f"数值 ({unit})" if unit else "数值")
        ax.margins(x=0.15, y=0.3)
        ax.legend(title="范围 · 时期 · 类型", fontsize=8, title_fontsize=8, loc="best")
    axes[0, 0].set_title(f"指标时间线 Timeline: {indicator}")
    fig.autofmt_xdate()
save(fig, "02_indicator_timeline")

# %% [markdown]
# ## All series, small multiples
# Each panel is one series (the most stated and the changed ones first);
# red points are `changed`, grey `restated`, blue `first`.

# %%
colors = {"first": "#4C72B0", "restated": "#8C8C8C", "changed": "#C44E52"}
order = series.sort_values(["changed", "statements"], ascending=False)["series_id"].head(MAX_PANELS).tolist()
if not order:
    fig = no_data("所有序列 All series")
else:
    ncols = min(3, len(order))
    nrows = -(-len(order) // ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(4.2 * ncols, 3 * nrows), squeeze=False)
    for ax, sid in zip(axes.flat, order):
        g = history[history["series_id"] == sid]
        ax.plot(g["speech_date"], g["value"], color="#BBBBBB", zorder=1)
        ax.scatter(g["speech_date"], g["value"], c=[colors.get(s, "black") for s in g["status"]], zorder=2)
        first = g.iloc[0]
        ax.set_title(f"{first['indicator']}\n{txt(first['scope'])} {txt(first['period'])} {first['kind']} ({txt(first['unit'])})",
                     fontsize=9)
        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: fmt_value(v)))
        ax.margins(x=0.25, y=0.3)
        ax.tick_params(axis="x", labelsize=7, rotation=30)
    for ax in list(axes.flat)[len(order):]:
        ax.set_axis_off()
    fig.suptitle(f"所有序列 All series ({len(series)})")
    fig.tight_layout()
save(fig, "02_all_series")
