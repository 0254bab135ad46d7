"""`python -m pipeline history PHRASE`: the figure series an analyst asks about, read from extracted/.

One ledger joins a city's work report and its meeting speeches (the report sets the year's targets, the
speeches restate or change them), so each statement says which kind of document it comes from (speech or
report, documents.csv doc_kind), which document, and the sentence it was read from.
"""
from __future__ import annotations

import csv
from pathlib import Path


def _read(p: Path) -> list[dict]:
    with open(p, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def print_history(extracted: Path, phrase: str) -> int:
    hist = _read(extracted / "figure_history.csv")
    figs = {f["figure_id"]: f for f in _read(extracted / "figures.csv")}
    docs = {d["doc_id"]: d for d in _read(extracted / "documents.csv")}
    series: dict[str, list[dict]] = {}
    for h in hist:
        if phrase in h["indicator"] or phrase in figs.get(h["figure_id"], {}).get("indicator", ""):
            series.setdefault(h["series_id"], []).append(h)
    if not series:
        print(f"no series matches {phrase!r} (figure_history.csv has {len({h['series_id'] for h in hist})} series)")
        return 1
    for sid, rows in series.items():
        h0 = rows[0]
        print(f"{sid}  {h0['indicator']} | {h0['scope']} | {h0['period'] or '-'} | {h0['kind']} | {h0['unit']}")
        for h in rows:
            f = figs.get(h["figure_id"], {})
            d = docs.get(h["doc_id"], {})
            kind = h.get("doc_kind") or d.get("doc_kind") or "?"
            change = f" (was {h['previous_value']}{h['previous_qualifier'] or ''}, delta {h['delta']})" \
                if h["status"] != "first" else ""
            print(f"  {h['speech_date']}  {kind:6s} {d.get('speaker') or '?':4s} {h['status']:9s} {h['value']} "
                  f"{h['qualifier']}{change}")
            print(f"      {d.get('title') or d.get('source', '')}: {f.get('sentence', '')}")
    return 0
