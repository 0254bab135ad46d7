"""`eval --errors` lists exactly the errors the metrics count: per group, as many as they imply.

Three KBs: the bulletins as a clean run writes them (few errors), the same KB damaged on purpose in
every table and scored against a gold copy with a region and a types restriction (errors in every
group, the gold record's limits honoured), and the work reports when ../shared holds them.
"""
import csv
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline import devsets, reference_score
from pipeline.eval_errors import FIG_WRONG, GROUPS, collect_errors, error_counts, format_errors
from pipeline.evaluate import evaluate

ROOT = Path(__file__).resolve().parent.parent
GOLD = ROOT / "tests" / "gold"


def _rows(path: Path) -> list[dict]:
    with open(path, encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def _write(path: Path, rows: list[dict]) -> None:
    with open(path, encoding="utf-8-sig", newline="") as f:
        header = next(csv.reader(f))
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, header)
        w.writeheader()
        w.writerows(rows)


def _edit(path: Path, edit) -> None:
    """Rewrite a KB table: edit(i, row) returns the row(s) to keep in its place (None drops it)."""
    out = []
    for i, row in enumerate(_rows(path)):
        new = edit(i, dict(row))
        out.extend([] if new is None else new if isinstance(new, list) else [new])
    _write(path, out)


def _damage_figure(i: int, r: dict, linked: set[str]):
    if i % 9 == 0 and r["figure_id"] not in linked:
        return None  # a miss (linked figures stay: the links are damaged on their own)
    if i % 5 == 0:
        r["value"] = str(float(r["value"] or 0) * 10 + 1)
    if i % 4 == 0:
        r["kind"] = "forecast" if r["kind"] != "forecast" else "actual"
    for step, col, val in ((7, "scope", "全国"), (11, "unit", "个"), (6, "period", "1999"),
                           (8, "indicator", "无关之物"), (13, "qualifier", ">")):
        if i % step == 0:
            r[col] = val
    if i % 10 == 1:
        r["start"], r["end"] = str(int(r["start"]) + 1), str(int(r["end"]) + 2)  # still overlapping: matched
    if i % 17 == 2:  # a spurious figure far from any annotation, beside the real one
        return [r, dict(r, figure_id=r["figure_id"] + "x", start="9", end="11", mention="某某")]
    return r


def _damage_target(i: int, r: dict):
    if i % 6 == 0:
        return None
    if i % 4 == 1:
        r["value"] = "12345"
    if i % 5 == 2:
        r["qualifier"] = "<"
    return [r, dict(r, start="3", end="5", mention="某某")] if i % 7 == 3 else r


def _damage_deadline(i: int, r: dict):
    if i % 3 == 0:
        return None
    if i % 2 == 0:
        r["date"] = "1999-01-01"
    return [r, dict(r, start="1", end="2", mention="某")] if i == 1 else r


def _damage_mention(i: int, r: dict):
    if i % 4 == 0:
        return None
    if i % 5 == 1:
        r["mention"], r["entity_id"] = f"虚构{i}号公司", ""
    return r


def _damage_history(i: int, r: dict, figure_ids: list[str]):
    if not r["previous_figure_id"]:
        return r
    if i % 4 == 1:
        r["status"] = {"restated": "changed", "changed": "restated"}[r["status"]]
    elif i % 4 == 2:
        return [r, dict(r)]  # the same link predicted twice
    elif i % 4 == 3:
        r["previous_figure_id"] = figure_ids[i]  # a link that is not in the gold, one that is missed
    return r


def _damage_document(i: int, r: dict):
    if i == 0:
        r["speaker"] = "张三"
    if i == 1:
        r["issue_no"], r["speech_date"] = "99", ""
    if i == 2:
        r["published_on"] = "2000-01-01"
    return r


@pytest.fixture(scope="module")
def damaged(fresh_kb, tmp_path_factory) -> tuple[Path, Path]:
    """fresh_kb with errors in every table, and a gold copy whose records limit region and types."""
    root = tmp_path_factory.mktemp("damaged")
    kb, gold = root / "kb", root / "gold"
    shutil.copytree(fresh_kb, kb)
    shutil.copytree(GOLD, gold)
    linked = {r[k] for r in _rows(kb / "figure_history.csv") for k in ("figure_id", "previous_figure_id")}
    figure_ids = [r["figure_id"] for r in _rows(kb / "figures.csv")]
    for name, edit in (("figures", lambda i, r: _damage_figure(i, r, linked)), ("targets", _damage_target),
                       ("deadlines", _damage_deadline), ("mentions", _damage_mention),
                       ("figure_history", lambda i, r: _damage_history(i, r, figure_ids)),
                       ("documents", _damage_document)):
        _edit(kb / f"{name}.csv", edit)
    for stem, extra in (("000_2fb373510f57bcc3", {"region": [0, 4000]}),
                        ("004_c0d9056ca3a4441d", {"types": ["figure", "enterprise"]})):
        p = gold / f"{stem}.jsonl"
        recs = [json.loads(l) for l in p.read_text(encoding="utf-8").splitlines() if l.strip()]
        recs = [dict(r, **extra) if r["type"] == "document" else r for r in recs]
        p.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in recs), encoding="utf-8")
    return kb, gold


@pytest.fixture(scope="module")
def reports(tmp_path_factory):
    s = devsets.work_reports(out=tmp_path_factory.mktemp("reports") / "kb", cache=None)
    assert not s.skipped, s.skipped
    return s.extracted, s.gold


SETS = ["bulletins", "damaged"] + (["reports"] if (devsets.REPORTS / "gold").is_dir() else [])


@pytest.fixture(params=SETS)
def kb_gold(request, fresh_kb):
    return (fresh_kb, GOLD) if request.param == "bulletins" else request.getfixturevalue(request.param)


def _wrong(res: dict, attr: str) -> int:
    n = res["attr_n"].get(attr, 0)
    return round(n * (1 - res["attr_acc"].get(attr, 0.0)))


def implied(res: dict, gold_dir: Path) -> dict[str, int]:
    """The number of errors per group that the reference's metrics imply."""
    c = {k: 0 for k in ("fig.tp", "tar.tp", "dl.tp")} | res["counts"]
    out = {"figures: false positives": c["fig.pred"] - c["fig.tp"], "figures: misses": c["fig.gold"] - c["fig.tp"]}
    attr_key = {"indicator": "indicator>=0.6"}
    out |= {f"figures: {w}": _wrong(res, "fig." + attr_key.get(a, a)) for a, w in FIG_WRONG.items()}
    for m, k in (("targets", "tar"), ("deadlines", "dl")):
        out |= {f"{m}: false positives": c[f"{k}.pred"] - c[f"{k}.tp"], f"{m}: misses": c[f"{k}.gold"] - c[f"{k}.tp"]}
    out["targets: wrong value/unit/qualifier (strict)"] = c["tar.tp"] - c["tar.strict_tp"]
    out["deadlines: wrong date (strict)"] = c["dl.tp"] - c["dl.strict_tp"]
    for t in ("enterprise", "project"):
        out[f"{t}s: false positives"] = c.get(f"{t}.pred", 0) - c.get(f"{t}.tp_p", 0)
        out[f"{t}s: misses"] = c.get(f"{t}.gold", 0) - c.get(f"{t}.tp_g", 0)
    for k in ("issue_no", "published_on", "speech_date", "speaker"):
        out[f"document: wrong {k}"] = _wrong(res, "doc." + k)
    _, links = reference_score.load_gold(str(gold_dir))
    anchor = lambda e: (e["doc"], e["start"], e["end"])  # noqa: E731
    ngold = len({(frozenset([anchor(l["a"]), anchor(l["b"])]), l["status"]) for l in links})
    if ngold:  # the reference counts links only in prf: tp from recall, predictions from precision
        (p, r, _), (_, r_s, _) = res["prf"]["links"], res["prf"]["links.status"]
        tp = round(r * ngold)
        out["links: misses"], out["links: wrong status"] = ngold - tp, tp - round(r_s * ngold)
        if p:
            out["links: false positives"] = round(tp / p) - tp
    return out


def test_listed_errors_are_what_the_metrics_count(kb_gold):
    kb, gold = kb_gold
    res, listed = evaluate(kb, gold), error_counts(collect_errors(kb, gold))
    want = implied(res, gold)
    assert {k: listed[k] for k in want} == want
    assert set(listed) - set(want) <= {"links: false positives"}  # not implied when precision is 0
    assert ("links" in res["prf"]) == any(k.startswith("links") for k in listed)  # listed when scored


def test_the_damaged_kb_has_errors_of_every_group(damaged):
    """So that the agreement above is tested on every group, the region and types limits included."""
    kb, gold = damaged
    errors = collect_errors(kb, gold)
    assert set(implied(evaluate(kb, gold), gold)) == {f"{m}: {w}" for m, w in GROUPS}
    assert [g for g in GROUPS if not errors[g]] == []
    assert not any(e.stem == "000_2fb373510f57bcc3" and e.start >= 4000 for (m, _), v in errors.items() if m != "links"
                   for e in v if not e.detail.startswith("gold"))  # predictions outside the region are not errors
    untyped = [("deadlines", "false positives"), ("projects", "false positives"), ("projects", "misses")]
    assert not any(e.stem == "004_c0d9056ca3a4441d" for g in untyped for e in errors[g])  # types: figure, enterprise


def test_the_listing_reads_as_counted(damaged):
    """Summary counts, group headings and entries agree; entries are sorted; two runs print the same."""
    kb, gold = damaged
    errors = collect_errors(kb, gold)
    text = format_errors(errors)
    assert text == format_errors(collect_errors(kb, gold))
    summary = dict(re.findall(r"^  (\S.*?\S) +(\d+)$", text.split("\n\n")[0], re.M))
    assert {k: int(v) for k, v in summary.items()} == error_counts(errors)
    blocks = re.split(r"^### (.+?) \((\d+)\).*$", text, flags=re.M)[1:]
    assert list(errors) == GROUPS and len(blocks) == 3 * len(GROUPS)
    for (m, w), (name, n, body) in zip(GROUPS, zip(blocks[::3], blocks[1::3], blocks[2::3])):
        entries = [l for l in body.splitlines() if l.startswith("  ")]
        assert all(" ‖ " in l for l in entries)
        assert name == f"{m}: {w}" and int(n) == len(entries) == len(errors[(m, w)])
        assert errors[(m, w)] == sorted(errors[(m, w)])
    wrong_kind = errors[("figures", FIG_WRONG["kind"])][0]
    assert re.fullmatch(r"(actual|target|forecast|rank|\S+) \| \S+.*", wrong_kind.detail) and wrong_kind.sentence


def test_cli_errors_for_one_kb(damaged):
    kb, gold = damaged
    args = [sys.executable, "-m", "pipeline", "eval", "--extracted", str(kb), "--gold", str(gold), "--errors"]
    text = subprocess.run(args, capture_output=True, text=True, check=True, cwd=ROOT).stdout
    js = json.loads(subprocess.run(args + ["--json"], capture_output=True, text=True, check=True, cwd=ROOT).stdout)
    errors = collect_errors(kb, gold)
    total = sum(map(len, errors.values()))
    assert text.startswith(f"== {devsets.shown(kb)} against {devsets.shown(gold)}: {total} errors")
    assert text.rstrip("\n").endswith(format_errors(errors))
    assert js["error_counts"] == error_counts(errors)
    assert {k: len(v) for k, v in js["errors"].items()} == js["error_counts"]
    assert js["prf"] == json.loads(json.dumps(evaluate(kb, gold)["prf"]))
