"""`python -m pipeline history PHRASE`: the figure series an analyst asks about, read from extracted/."""
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
        if phrase in h["indicator"] or any(phrase in figs.get(h["figure_id"], {}).get(k, "") for k in ("indicator",)):
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
            change = f" (was {h['previous_value']}{h['previous_qualifier'] or ''}, delta {h['delta']})" \
                if h["status"] != "first" else ""
            print(f"  {h['speech_date']}  {d.get('speaker') or '?':4s} {h['status']:9s} {h['value']} "
                  f"{h['qualifier']}{change}")
            print(f"      {f.get('sentence', '')[:80]}")
    return 0
