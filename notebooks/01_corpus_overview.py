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
# # 1. Corpus overview: bulletins, speakers, dates, facts
#
# What is in the knowledge base (`extracted/`, contract in `shared/KB_SCHEMA.md`):
# which speeches, who gave them and when, how many facts of each type each speech
# yields, and the indicators that come up most often.
#
# Run everything: `make notebooks` (charts go to `notebooks/figures/`).

# %%
import matplotlib.pyplot as plt
import pandas as pd

from _style import kb, no_data, save, setup, speeches

TOP_INDICATORS = 20  # how many indicators to list and chart

print("CJK font:", setup())

# %% [markdown]
# ## The bulletins
# One row per speech, in order of speech date. `published_on` is the bulletin's
# date; `speech_date` the day the speech was given.

# %%
docs = speeches()
docs[["speech_date", "published_on", "bulletin", "issue_no", "speaker", "title", "city", "n_chars",
      "n_sentences", "doc_id"]]

# %% [markdown]
# ## Speakers

# %%
by_speaker = (docs.assign(speaker=docs["speaker"].fillna("（未署名）"))
              .groupby("speaker", dropna=False)
              .agg(speeches=("doc_id", "count"), first=("speech_date", "min"), last=("speech_date", "max"))
              .sort_values(["speeches", "first"], ascending=[False, True]))
by_speaker

# %% [markdown]
# ## Speeches over time
# Each dot is a speech, labelled with its speaker.

# %%
dated = docs.dropna(subset=["speech_date"])
if dated.empty:
    fig = no_data("讲话时间线 Speeches over time")
else:
    fig, ax = plt.subplots(figsize=(9, 2.8))
    ax.scatter(dated["speech_date"], [0] * len(dated), s=60, zorder=3)
    for i, (_, d) in enumerate(dated.iterrows()):
        ax.annotate(f"{d['speech_date']:%Y-%m-%d}\n{d['speaker'] if pd.notna(d['speaker']) else '（未署名）'}",
                    (d["speech_date"], 0), xytext=(0, 12 if i % 2 == 0 else -34), textcoords="offset points",
                    ha="center", fontsize=9)
    ax.set_yticks([])
    ax.set_ylim(-1, 1)
    ax.spines["left"].set_visible(False)
    ax.set_title(f"讲话时间线 Speeches over time ({len(dated)} 篇)")
save(fig, "01_speeches_timeline")

# %% [markdown]
# ## Facts per speech
# Counts of each fact type (and of figures by kind) that the pipeline extracted from each speech.

# %%
figures, targets, deadlines, mentions = kb("figures"), kb("targets"), kb("deadlines"), kb("mentions")
sentences = kb("sentences")


def per_doc(df: pd.DataFrame, name: str) -> pd.Series:
    return df.groupby("doc_id").size().rename(name)


counts = pd.concat([
    per_doc(sentences, "sentences"),
    per_doc(figures, "figures"),
    per_doc(targets, "targets"),
    per_doc(deadlines, "deadlines"),
    per_doc(mentions[mentions["type"] == "enterprise"], "enterprise mentions"),
    per_doc(mentions[mentions["type"] == "project"], "project mentions"),
], axis=1)
facts = (docs[["doc_id", "label"]].set_index("doc_id").join(counts)
         .fillna(0).astype({c: int for c in counts.columns}))
facts.loc["total"] = ["（合计）"] + facts[counts.columns].sum().tolist()
facts

# %%
kinds = pd.crosstab(figures["doc_id"], figures["kind"]) if len(figures) else pd.DataFrame()
docs[["doc_id", "label"]].set_index("doc_id").join(kinds).fillna(0)

# %%
fact_cols = ["figures", "targets", "deadlines", "enterprise mentions", "project mentions"]
plot = facts.drop(index="total").set_index("label")[fact_cols]
if plot.empty or plot.to_numpy().sum() == 0:
    fig = no_data("每篇讲话的事实数 Facts per speech")
else:
    ax = plot.plot.barh(stacked=True, figsize=(9, 0.6 * len(plot) + 1.5))
    ax.invert_yaxis()
    ax.set_xlabel("条数 count")
    ax.set_ylabel("")
    ax.set_title("每篇讲话的事实数 Facts per speech")
    ax.legend(["数字 figures", "目标 targets", "时限 deadlines", "企业 enterprises", "项目 projects"],
              loc="upper left", bbox_to_anchor=(1.01, 1), fontsize=8)
    fig = ax.figure
save(fig, "01_facts_per_speech")

# %% [markdown]
# ## Most frequent indicators
# Indicators as the pipeline named them in `figures.csv` (synonyms are merged only in
# `figure_history.csv`), with the number of statements and of speeches.

# %%
top = (figures.dropna(subset=["indicator"])
       .groupby("indicator")
       .agg(statements=("figure_id", "count"), speeches=("doc_id", "nunique"), units=("unit", lambda u: " ".join(sorted(set(u.dropna())))))
       .sort_values(["statements", "speeches"], ascending=False)
       .head(TOP_INDICATORS))
top

# %%
if top.empty:
    fig = no_data("最常见的指标 Most frequent indicators")
else:
    ax = top["statements"].iloc[::-1].plot.barh(figsize=(8, 0.32 * len(top) + 1.2), color="#4C72B0")
    ax.set_xlabel("出现次数 statements")
    ax.set_ylabel("")
    ax.set_title(f"最常见的指标 Top {len(top)} indicators")
    fig = ax.figure
save(fig, "01_top_indicators")
