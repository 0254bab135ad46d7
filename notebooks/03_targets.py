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
# # 3. Targets: what was promised, how firmly, and what came of it
#
# `targets.csv` has one row per commitment with a number; `commitment` is the
# word that carries it (确保, 完成, 要, 力争 ...). `targets_vs_actuals.csv` pairs a
# target with an actual figure that a later speech reports for the same series.
#
# A target's **year** is the last year of its `period` (2020-07/2020-09 → 2020,
# the plan period 2016/2020 → 2020).

# %% tags=["parameters"]
# Commitment words from firmest to weakest (an analyst's reading; edit freely).
# Words not listed here come after them; a target with no word is "（未标明）".
STRENGTH = ["确保", "突破", "达到", "完成", "实现", "要", "力争", "争取", "计划", "预计"]

# %%
import matplotlib.pyplot as plt
import pandas as pd

from _style import fmt_figure, kb, lookup, no_data, save, setup, speeches, txt

print("CJK font:", setup())
targets = kb("targets")
docs = speeches()
targets["speech_date"] = lookup(targets["doc_id"], docs, "doc_id", "speech_date")
targets["year"] = targets["period"].str.findall(r"\d{4}").str[-1].fillna("（未标明）")
targets["commitment"] = targets["commitment"].fillna("（未标明）")
words = list(dict.fromkeys([w for w in STRENGTH if w in set(targets["commitment"])]
                           + sorted(set(targets["commitment"]) - set(STRENGTH) - {"（未标明）"})
                           + ["（未标明）"]))
targets["commitment"] = pd.Categorical(targets["commitment"], categories=words, ordered=True)
targets["target"] = [fmt_figure(v, u, q) for v, u, q in zip(targets["value"], targets["unit"], targets["qualifier"])]
print(f"{len(targets)} targets in {targets['doc_id'].nunique()} speeches")

# %% [markdown]
# ## Targets by year and commitment strength

# %%
by_year = pd.crosstab(targets["year"], targets["commitment"], margins=True, margins_name="合计", dropna=False)
by_year

# %%
table = pd.crosstab(targets["year"], targets["commitment"], dropna=False)
table = table.loc[:, table.sum() > 0] if len(table) else table
if table.empty:
    fig = no_data("各年目标数 Targets by year")
else:
    ax = table.plot.bar(stacked=True, figsize=(8, 4), colormap="viridis", rot=0)
    ax.set_xlabel("目标年份 target year")
    ax.set_ylabel("目标数 targets")
    ax.set_title("各年目标数（按承诺力度）Targets by year and commitment")
    ax.legend(title="承诺力度（强→弱）", fontsize=8, title_fontsize=8, bbox_to_anchor=(1.01, 1), loc="upper left")
    fig = ax.figure
save(fig, "03_targets_by_year")

# %% [markdown]
# ## Targets by indicator
# Every target, grouped by indicator, firmest commitments first.

# %%
(targets.sort_values(["indicator", "year", "commitment", "speech_date"])
 [["indicator", "scope", "year", "period", "commitment", "target", "mention", "speech_date", "sentence"]]
 .set_index(["indicator", "scope"]))

# %%
per_indicator = (targets.groupby("indicator", dropna=False)
                 .agg(targets=("target_id", "count"), years=("year", lambda y: " ".join(sorted(set(y)))),
                      speeches=("doc_id", "nunique"),
                      firmest=("commitment", "min"))
                 .sort_values(["targets", "speeches"], ascending=False))
per_indicator

# %% [markdown]
# ## Targets vs actuals
# For each target that a later speech reports on: `met`, `not_met`, or `partial`
# (the actual covers only part of the target's period), and `share` = actual / target.

# %%
tva = kb("targets_vs_actuals")
figures = kb("figures")
# Join back to the target's wording and the actual's; accept the target_id or its figure_id.
for col in ("mention", "speech_date", "commitment"):
    tva[f"target_{col}"] = lookup(tva["target_id"], targets, "target_id", col).fillna(
        lookup(tva["target_id"], targets, "figure_id", col))
tva["actual_mention"] = lookup(tva["actual_figure_id"], figures, "figure_id", "mention")
actual_doc = lookup(tva["actual_figure_id"], figures, "figure_id", "doc_id")
tva["actual_speech_date"] = lookup(actual_doc, docs, "doc_id", "speech_date")
tva["share_%"] = (100 * tva["share"]).round(1)
tva[["indicator", "scope", "target_period", "target_mention", "target_speech_date", "actual_period",
     "actual_mention", "actual_speech_date", "outcome", "share_%"]]

# %%
tva["outcome"].value_counts().rename("pairs").to_frame() if len(tva) else pd.DataFrame({"pairs": []})

# %%
plot = tva.dropna(subset=["share"])
if plot.empty:
    fig = no_data("目标完成情况 Targets vs actuals")
else:
    colors = {"met": "#55A868", "partial": "#DD8452", "not_met": "#C44E52"}
    labels = [f"{txt(i)} ({txt(tp)})\n实际 {txt(ap)}" for i, tp, ap in
              zip(plot["indicator"], plot["target_period"], plot["actual_period"])]
    fig, ax = plt.subplots(figsize=(8, 0.7 * len(plot) + 1.5))
    shares = 100 * plot["share"]
    ax.barh(range(len(plot)), shares.clip(upper=200), color=[colors.get(o, "grey") for o in plot["outcome"]])
    for y, (s, o) in enumerate(zip(shares, plot["outcome"])):
        ax.text(min(s, 200) + 2, y, f"{s:.0f}% {o}", va="center", fontsize=8)
    ax.axvline(100, color="black", lw=1, ls="--")
    ax.set_yticks(range(len(plot)), labels, fontsize=8)
    ax.invert_yaxis()
    ax.set_xlim(0, 230)
    ax.set_xlabel("实际 / 目标 (%)（超过200%截断）actual as % of target")
    ax.set_title("目标完成情况 Targets vs actuals")
save(fig, "03_targets_vs_actuals")
