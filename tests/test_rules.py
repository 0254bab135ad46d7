"""Every rules file's examples and counterexamples, one case per test id: the one place they run.

Every .toml under pipeline/resources/rules has a checker here; a file without one fails
test_every_rules_file_is_checked. The conventions differ by what a rule is:

- a pattern (clean, metadata, sections, figures, indicators, and entities' filters): "before|" is text
  before a number (the pattern is searched in it), "|after" text after it, plain text is searched whole, or
  matched when the rule says match = "match" or "fullmatch"; examples hit, counterexamples do not;
- an entities candidate finder (a rule with a kind): "sentence -> name|name:type", the names it must propose;
  a counterexample proposes nothing, or "sentence -> !name" not that name;
- deadlines: the pattern with its @NAME@ defs expanded (pipeline.resources.expand_defs), searched;
- timex: each rule as timex.rules() compiles it (defs, holidays, the 截至/以来 affixes), searched;
- a word or character list: "input -> output" of the code that reads it (USES below), examples and
  counterexamples alike; a counterexample shows a near miss the list leaves alone;
- linking: settings only, each a described positive number.
"""
from pathlib import Path

import pytest
import regex

from pipeline.extract import entity_rules as E
from pipeline.normalise import timex
from pipeline.resources import expand_defs, load_toml
from pipeline.segment import sentence_of

RULES_DIR = Path(__file__).resolve().parent.parent / "pipeline" / "resources" / "rules"
RULE_FILES = sorted(p.stem for p in RULES_DIR.glob("*.toml"))


def _entries(file: str):
    """(name, entry) of every rule of a file: its tables, and its arrays of tables as "array:name"."""
    for key, value in load_toml(f"rules/{file}.toml").items():
        if key == "defs":
            continue
        if isinstance(value, dict):
            yield key, value
        elif isinstance(value, list):
            for v in value:
                if isinstance(v, dict):
                    yield f"{key}:{v['name']}", v


def _entry(file: str, name: str) -> dict:
    return dict(_entries(file))[name]


# ---------------------------------------------------------------------------------------------- checkers
def _hits(rule: dict, text: str, rx: regex.Pattern | None = None) -> bool:
    pat = rx or regex.compile(rule["pattern"])
    if "|" in text:
        before, after = text.split("|", 1)
        return bool(pat.search(before) if before else pat.search(after))
    return bool(getattr(pat, rule.get("match", "search"))(text))


def _pattern(file, name, rule, text, positive):
    assert _hits(rule, text) is positive


def _entities(file, name, rule, text, positive):
    if "kind" not in rule:  # a filter pattern
        assert _hits(rule, text) is positive
        return
    sentence, _, expected = text.partition(" -> ")
    got = {(sentence[c.start:c.end], c.type) for c in E.rule_candidates(sentence_of(sentence), only=name)}
    if not positive and not expected:
        assert got == set()
        return
    for want in expected.split("|"):
        surface, _, typ = want.lstrip("!").partition(":")
        hit = any(s == surface and (not typ or t == typ) for s, t in got)
        assert hit is not want.startswith("!"), (want, got)


def _deadlines(file, name, rule, text, positive):
    pattern = expand_defs(rule["pattern"], load_toml("rules/deadlines.toml")["defs"])
    assert (regex.search(pattern, text) is not None) is positive


def _timex(file, name, rule, text, positive):
    compiled = next(r for r in timex.rules() if r.name == rule["name"])
    assert (compiled.rx.search(text) is not None) is positive


def _setting(file, name, rule, text, positive):
    values = [v for k, v in rule.items() if k != "description"]
    assert rule.get("description") and values and all(isinstance(v, (int, float)) and v > 0 for v in values)


CHECKERS = {"clean": _pattern, "metadata": _pattern, "sections": _pattern, "figures": _pattern,
            "indicators": _pattern, "entities": _entities, "deadlines": _deadlines, "timex": _timex,
            "linking": _setting}


USES = {}  # (file, entry) -> the code that reads a word or character list, for its "input -> output" cases


# ---------------------------------------------------------------------------------------------- the cases
def _cases():
    for f in RULE_FILES:
        for name, rule in _entries(f):
            if f == "linking":
                yield pytest.param(f, name, "", True, id=f"{f}.{name}")
                continue
            for ex in rule.get("examples", []):
                yield pytest.param(f, name, ex, True, id=f"{f}.{name}+{ex}")
            for ex in rule.get("counterexamples", []):
                yield pytest.param(f, name, ex, False, id=f"{f}.{name}-{ex}")


CASES = list(_cases())


@pytest.mark.parametrize("file,name,text,positive", CASES)
def test_rule_example(file, name, text, positive):
    if (file, name) in USES:
        given, _, want = text.partition(" -> ")
        assert USES[file, name](given) == want
    else:
        CHECKERS[file](file, name, _entry(file, name), text, positive)


def test_every_rules_file_is_checked():
    assert set(RULE_FILES) == set(CHECKERS), set(RULE_FILES) ^ set(CHECKERS)
    assert {c.values[0] for c in CASES} == set(RULE_FILES)  # and every file yields cases
    assert len(CASES) > 400


@pytest.mark.parametrize("file", RULE_FILES)
def test_examples_are_run(file):
    """Examples of an entry that is no pattern must have a use that runs them (else they check nothing)."""
    for name, rule in _entries(file):
        if ("examples" in rule or "counterexamples" in rule) and "pattern" not in rule:
            assert (file, name) in USES, f"{file}.{name}: examples that no checker runs"


def test_every_candidate_rule_has_cases():
    for name, rule in _entries("entities"):
        if "kind" in rule:
            assert rule.get("examples") and rule.get("counterexamples") is not None, name
