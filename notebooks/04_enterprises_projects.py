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
# # 4. Enterprises and projects
#
# `entities.csv` has one row per distinct enterprise or project across the corpus
# (with aliases, the enterprise behind a project, and the first and last speech
# that names it); `mentions.csv` has every place a speech names one.

# %% tags=["parameters"]
TOP_ENTITIES = 25  # entities shown in the speech-by-entity chart (most widely named first)

# %%
import matplotlib.pyplot as plt
import pandas as pd

from _style import kb, lookup, no_data, save, setup, speeches

print("CJK font:", setup())
TYPE_ZH = {"enterprise": "企业", "project": "项目"}
docs = speeches()
entities = kb("entities")
mentions = kb("mentions")
mentions = mentions.merge(docs[["doc_id", "speech_date", "label"]], on="doc_id", how="left")
mentions = mentions.merge(entities[["entity_id", "name"]].rename(columns={"name": "entity"}), on="entity_id", how="left")
mentions["entity"] = mentions["entity"].fillna(mentions["mention"])
print(f"{len(entities)} entities ({entities['type'].value_counts().to_dict()}), {len(mentions)} mentions")

# %% [markdown]
# ## Entities, most widely named first
# `first_seen` / `last_seen` are speech dates; an owner is the enterprise behind a project.

# %%
entities["owner"] = lookup(entities["owner_entity_id"], entities, "entity_id", "name")
entities["mentions"] = [int((mentions["entity_id"] == e).sum()) for e in entities["entity_id"]]
(entities.sort_values(["doc_count", "mentions", "name"], ascending=[False, False, True])
 [["type", "name", "doc_count", "mentions", "first_seen", "last_seen", "aliases", "owner", "entity_id"]]
 .reset_index(drop=True))

# %% [markdown]
# ## Which speeches name which entities
# Mentions per entity (rows) and speech (columns), for entities named in more than
# one speech; then the full list per speech.

# %%
matrix = pd.crosstab([mentions["type"], mentions["entity"]], mentions["label"]) if len(mentions) else pd.DataFrame()
if len(matrix):
    matrix = matrix[[c for c in docs["label"] if c in matrix.columns]]
    widely = matrix[(matrix > 0).sum(axis=1) > 1]
else:
    widely = matrix
widely

# %%
(mentions.groupby(["speech_date", "label", "type"], dropna=False)["entity"]
 .agg(lambda e: "、".join(dict.fromkeys(e)))
 .unstack("type"))

# %% [markdown]
# ## First and last seen
# Each entity named in two or more speeches, as a line from its first to its last speech.

# %%
span = (entities[(entities["doc_count"].fillna(0) > 1) & entities["first_seen"].notna()]
        .sort_values(["first_seen", "last_seen", "name"]).head(TOP_ENTITIES))
if span.empty:
    fig = no_data("首次与最近提及 First and last seen")
else:
    fig, ax = plt.subplots(figsize=(9, 0.32 * len(span) + 1.5))
    colors = {"enterprise": "#C44E52", "project": "#4C72B0"}
    for y, (_, e) in enumerate(span.iterrows()):
        c = colors.get(e["type"], "grey")
        ax.plot([e["first_seen"], e["last_seen"]], [y, y], color=c, lw=2)
        ax.scatter([e["first_seen"], e["last_seen"]], [y, y], color=c, s=18, zorder=3)
    ax.set_yticks(range(len(span)), [f"{n}（{TYPE_ZH.get(t, t)}）" for n, t in zip(span["name"], span["type"])],
                  fontsize=8)
    ax.invert_yaxis()
    ax.set_title("首次与最近提及 First and last seen (named in 2+ speeches)")
    fig.autofmt_xdate()
save(fig, "04_first_last_seen")

# %% [markdown]
# ## Mentions over time
# Mentions per speech, by type; then the most widely named entities speech by speech.

# %%
per_speech = (pd.crosstab(mentions["label"], mentions["type"]).reindex([l for l in docs["label"]], fill_value=0)
              if len(mentions) else pd.DataFrame())
if per_speech.empty or per_speech.to_numpy().sum() == 0:
    fig = no_data("各次讲话提及的企业与项目 Mentions over time")
else:
    per_speech = per_speech.rename(columns=lambda t: f"{TYPE_ZH.get(t, t)} {t}")
    ax = per_speech.plot.bar(figsize=(9, 4.5), color=["#C44E52", "#4C72B0", "#8C8C8C"][:per_speech.shape[1]], rot=20)
    ax.set_xlabel("讲话（按日期）speech")
    ax.set_ylabel("提及次数 mentions")
    ax.set_title("各次讲话提及的企业与项目 Mentions over time")
    ax.legend(title="类型 type")
    plt.setp(ax.get_xticklabels(), ha="right", fontsize=8)
    fig = ax.figure
save(fig, "04_mentions_over_time")

# %%
top = entities.sort_values(["doc_count", "mentions", "name"], ascending=[False, False, True]).head(TOP_ENTITIES)
grid = (pd.crosstab(mentions["entity_id"], mentions["label"])
        .reindex(index=top["entity_id"], columns=list(docs["label"]), fill_value=0)
        if len(mentions) and len(top) else pd.DataFrame())
if grid.empty or grid.to_numpy().sum() == 0:
    fig = no_data("主要企业与项目逐次提及 Top entities by speech")
else:
    fig, ax = plt.subplots(figsize=(2 + 1.3 * grid.shape[1], 0.3 * len(grid) + 2))
    im = ax.imshow(grid.to_numpy(), cmap="Blues", aspect="auto")
    for (y, x), n in pd.DataFrame(grid.to_numpy()).stack().items():
        if n:
            ax.text(x, y, int(n), ha="center", va="center", fontsize=7,
                    color="white" if n > grid.to_numpy().max() / 2 else "black")
    ax.set_xticks(range(grid.shape[1]), grid.columns, rotation=30, ha="right", fontsize=8)
    ax.set_yticks(range(len(grid)), [f"{n}（{TYPE_ZH.get(t, t)}）" for n, t in zip(top["name"], top["type"])],
                  fontsize=8)
    ax.set_title(f"主要企业与项目逐次提及 Top {len(grid)} entities: mentions per speech")
    fig.colorbar(im, ax=ax, shrink=0.5, label="提及次数")
save(fig, "04_top_entities_by_speech")
