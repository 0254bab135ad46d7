"""Every rules file's examples and counterexamples, one case per test id: the one place they run.

Every .toml under pipeline/resources/rules has a checker here; a file without one fails
test_every_rules_file_is_checked. The conventions differ by what a rule is:

- a pattern (clean, metadata, sections, figures, indicators, places, and entities' filters): "before|" is text
  before a number (the pattern is searched in it), "|after" text after it, plain text is searched whole, or
  matched when the rule says match = "match" or "fullmatch"; examples hit, counterexamples do not;
- an entities candidate finder (a rule with a kind): "sentence -> name|name:type", the names it must propose;
  a counterexample proposes nothing, or "sentence -> !name" not that name;
- deadlines: the pattern with its @NAME@ defs expanded (pipeline.resources.expand_defs), searched;
- timex: each rule as timex.rules() compiles it (defs, holidays, the 截至/以来 affixes), searched;
- a word or character list: "input -> output" of the code that reads it (USES below), examples and
  counterexamples alike; a counterexample shows a near miss the list leaves alone (the word lists of
  indicators.toml: "sentence @ mention -> indicator", what that figure of an invented sentence measures);
- linking: settings only, each a described positive number.
"""
from datetime import date
from pathlib import Path

import pytest
import regex

from pipeline.extract import deadlines, figures
from pipeline.extract import entity_candidates as C
from pipeline.extract import entity_finders as F
from pipeline.extract import entity_rules as E
from pipeline.extract import entity_model
from pipeline.model import Metadata
from pipeline.normalise import chunks, indicators, places, timex
from pipeline.resources import expand_defs, load_toml
from pipeline.segment import MAX_SENTENCE, sentence_of, split_sentences

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
    if "|" in text and not rule.get("literal"):  # literal = true: the examples hold a "|" of their own
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
    got = {(sentence[c.start:c.end], c.type) for c in F.rule_candidates(sentence_of(sentence), only=name)}
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
    assert not positive or not compiled.needs.isdisjoint(text), "an example holds none of the rule's needs"
    assert not positive or timex._may_match(compiled, text, set(text)), "an example holds none of its needed words"


def _setting(file, name, rule, text, positive):
    values = [v for k, v in rule.items() if k != "description"]
    assert rule.get("description") and values and all(isinstance(v, (int, float)) and v > 0 for v in values)


CHECKERS = {"clean": _pattern, "metadata": _pattern, "sections": _pattern, "figures": _pattern,
            "indicators": _pattern, "parts": _pattern, "places": _pattern, "punctuation": _pattern, "entities": _entities,
            "deadlines": _deadlines, "timex": _timex, "linking": _setting}


# ---------------------------------------------------------------------------------------------- uses of lists
def _pieces(text: str, bounds) -> str:
    return "|".join(text[a:b] for a, b in bounds)


def _sentences(text: str) -> str:
    return _pieces(text, split_sentences(text, 0, len(text)))


def _long_cut(ch: str) -> str:
    """ch 300 characters into a 700-character run without a sentence end: what the first piece ends with."""
    text = "字" * 300 + ch + "字" * (MAX_SENTENCE - 1)
    _, end = split_sentences(text, 0, len(text))[0]
    return ch if end == 301 else "(hard)"


def _items(text: str) -> str:
    return _pieces(text, E._split_items(sentence_of(text), 0, len(text)))


def _name_clauses(text: str) -> str:
    out, start = [], 0
    for end in E._clause_ends(text):
        out.append(text[start:end])
        start = end + 1
    return "|".join(out)


def _in_lists(text: str) -> str:
    return "".join(c for c, tag in zip(text, C.context_tags(text)) if tag != "O")


def _lead_cut(text: str) -> str:
    return text[E._lead_cut(sentence_of(text), 0, len(text), inner=True):]


def _indicator(text: str) -> str:
    """"sentence @ mention": the indicator of that figure, in a text of a city of neither development set."""
    sentence, _, mention = text.partition(" @ ")
    meta = Metadata(city="商洛市", speech_date=date(2022, 4, 12), reference_date=date(2022, 4, 12))
    found, _ = figures.sentence_figures(sentence_of(sentence), meta, None)
    return next(f.indicator for f in found if "".join(sentence[f.start:f.end].split()) == mention)


def _scope(text: str) -> str:
    return places.scope_in(text, "安康市", date(2020, 6, 30)) or ""


USES = {
    ("punctuation", "sentence_end"): _sentences,
    ("punctuation", "sentence_close"): _sentences,
    ("punctuation", "quoted_speech"): _sentences,
    ("punctuation", "long_sentence_cut"): _long_cut,
    ("punctuation", "enumeration"): _items,
    ("punctuation", "name_clause_end"): _name_clauses,
    ("punctuation", "task_clause_end"): lambda t: "|".join(deadlines.clause_end().split(t)),
    ("punctuation", "whitespace"): entity_model.word_class,
    ("punctuation", "name_break"): entity_model.word_class,
    ("punctuation", "double_quotes"): entity_model.word_class,
    ("punctuation", "name_quotes"): E._bare,
    ("punctuation", "indicator_quotes"): lambda t: chunks.noun_phrase_after(chunks.clean(sentence_of(t).tagged()))[0],
    ("entities", "list_connectors"): _items,
    ("entities", "list_end"): _in_lists,
    ("entities", "function_chars"): _lead_cut,
    ("entities", "company_words"): E.canonical_enterprise,
    ("places", "county_written"): _scope,
    ("places", "not_scope_after"): _scope,
    ("places", "short_name"): places._short,
    ("places", "place_word"): E._place_prefix,
    ("places", "upper_prefix"): E._upper_prefix,
    ("indicators", "measured_suffixes"): indicators.stem,
    ("indicators", "threshold_before"): lambda t: chunks.noun_phrase_before(sentence_of(t).tagged()),
    **{("indicators", name): _indicator for name in (
        "chunk", "task_verbs", "light_verbs", "measure_verbs", "push_verbs", "suffix_by_unit", "count_units",
        "measured_ends", "rate_ends", "noun_phrase", "measure_heads", "distributed_tail", "comparison_verb_first",
        "rank_together", "threshold")},
}


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


@pytest.mark.parametrize("file,name", sorted(USES))
def test_every_list_is_described_with_cases(file, name):
    rule = _entry(file, name)
    assert rule.get("description") and rule.get("examples") and rule.get("counterexamples"), f"{file}.{name}"


@pytest.mark.parametrize("file", ["punctuation", "places"])
def test_every_entry_is_described_with_cases(file):
    for name, rule in _entries(file):
        assert rule.get("description") and rule.get("examples") and rule.get("counterexamples"), f"{file}.{name}"


def test_every_candidate_rule_has_cases():
    for name, rule in _entries("entities"):
        if "kind" in rule:
            assert rule.get("examples") and rule.get("counterexamples") is not None, name
