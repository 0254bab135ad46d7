"""Every rule kept as data runs against its own examples and counterexamples, one case per test id.

Convention for examples: "before|" is text before a number (the rule is searched
in it), "|after" is text after it, plain text is searched whole; a rule may say
match = "match" or "fullmatch" instead of search, and literal = true when its examples hold a "|" of their own
(Markdown table rules).
"""
import pytest
import regex

from pipeline.resources import load_toml

RULE_FILES = ["clean", "metadata", "sections", "figures", "indicators", "parts"]


def _cases():
    for f in RULE_FILES:
        for name, rule in load_toml(f"rules/{f}.toml").items():
            if not isinstance(rule, dict) or "pattern" not in rule:
                continue
            for ex in rule.get("examples", []):
                yield pytest.param(f, name, ex, True, id=f"{f}.{name}+{ex}")
            for ex in rule.get("counterexamples", []):
                yield pytest.param(f, name, ex, False, id=f"{f}.{name}-{ex}")


def _hits(rule: dict, text: str) -> bool:
    pat = regex.compile(rule["pattern"])
    if "|" in text and not rule.get("literal"):
        before, after = text.split("|", 1)
        return bool(pat.search(before) if before else pat.search(after))
    how = rule.get("match", "search")
    return bool(getattr(pat, how)(text))


@pytest.mark.parametrize("file,name,text,expected", list(_cases()))
def test_rule_example(file, name, text, expected):
    rule = load_toml(f"rules/{file}.toml")[name]
    assert _hits(rule, text) is expected


def test_every_rule_file_has_examples():
    n = sum(1 for _ in _cases())
    assert n > 60
