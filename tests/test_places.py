"""The text's own jurisdiction and the scope words that point at it (invented sentences; real divisions)."""
import pytest

from pipeline.normalise.places import _short, infer_city, scope_in

BODY_PREFECTURE = ("全州生产总值增长6%。黔南发展势头良好，黔南州新增企业120家，融入贵阳都市圈，对接贵阳产业，"
                   "承接贵阳转移项目。我州农业增产。")


@pytest.mark.parametrize("issuer,title,body,header,expected", [
    (None, "", BODY_PREFECTURE, "", "黔南布依族苗族自治州"),
    (None, "黔南州政府工作报告", "", "", "黔南布依族苗族自治州"),
    (None, "", "", "——2021年1月8日在黔南布依族苗族自治州第十四届人民代表大会第五次会议上", "黔南布依族苗族自治州"),
    (None, "", "", "绵阳市代市长陈刚", "绵阳市"),
    (None, "九江政府工作报告", "", "", "九江市"),
    (None, "", "全盟牧业增产。锡林郭勒草原保护，锡林郭勒盟新增企业，赴呼和浩特招商。", "", "锡林郭勒盟"),
    (None, "2009年政府工作报告", "", "——2009年1月14日在江西省第十一届人民代表大会第二次会议上", "江西省"),
    (None, "中华人民共和国2016年国民经济和社会发展统计公报", "", "国家统计局", "全国"),
    (None, "", "全省经济增长。江西发展，南昌、赣州、九江协同，江西制造业。全省就业稳定。", "", "江西省"),
    (None, "", "全区经济增长。广西北部湾开发，南宁、柳州协同。全区就业稳定。", "", "广西壮族自治区"),
    ("九江市", "", BODY_PREFECTURE, "", "九江市"),
    (None, "", "全市经济增长。九江发展良好，九江港扩建，赴南昌招商。", "", "九江市"),
    (None, "", "今天天气很好。", "", None),
], ids=["prefecture-named-more-than-the-capital", "prefecture-short-title", "prefecture-in-meeting-line",
        "speaker-line", "title-starts-with-short-name", "league-body", "province-header", "national",
        "province-body", "autonomous-region-body", "issuer-first", "city-body", "none"])
def test_infer_city(issuer, title, body, header, expected):
    assert infer_city(issuer, title, body, header) == expected


@pytest.mark.parametrize("name,short", [
    ("恩施土家族苗族自治州", "恩施"), ("西双版纳傣族自治州", "西双版纳"), ("伊犁哈萨克自治州", "伊犁"),
    ("海西蒙古族藏族自治州", "海西"), ("长阳土家族自治县", "长阳"), ("广西壮族自治区", "广西"), ("西藏自治区", "西藏"),
    ("汉中市", "汉中"), ("阿拉善盟", "阿拉善"), ("江西省", "江西"),
])
def test_short_names(name, short):
    assert _short(name) == short


@pytest.mark.parametrize("text,city,expected", [
    ("全州生产总值增长", "黔南布依族苗族自治州", "黔南布依族苗族自治州"),
    ("我州新增企业", "黔南布依族苗族自治州", "黔南布依族苗族自治州"),
    ("全盟牧业增产", "锡林郭勒盟", "锡林郭勒盟"),
    ("增速高于全省", "黔南布依族苗族自治州", "贵州省"),
    ("全市生产总值增长", "九江市", "九江市"),
])
def test_scope_words_resolve_to_the_jurisdiction(text, city, expected):
    assert scope_in(text, city) == expected


def test_place_lookups_are_the_regex_alternations_they_replaced():
    """leading_place (a table by first character) and the county spans of scope_in (find) give what one regex
    alternation per city and one pattern per county gave, for many cities, on the bulletins' lines."""
    import random
    from pathlib import Path

    import regex

    from pipeline.normalise import places as P
    from pipeline.resources import char_class

    suffix, office = char_class(P.place_suffixes("written_after")), char_class(P._rules()["suffix_not_before"])

    def leading_rx(city):
        names = [(s, regex.escape(s)) for s, _ in P._scope_words()]
        names += [(city, regex.escape(city)), (P._short(city), regex.escape(P._short(city)))]
        names += [(c, regex.escape(c) + f"(?:{suffix}(?!{office}))?") for c in P.counties_of(city)]
        alts = [rx for s, rx in sorted(set(n for n in names if n[0]), key=lambda n: (-len(n[0]), n[0]))]
        return regex.compile("(?:" + "|".join(alts) + ")")

    root = Path(__file__).resolve().parent.parent
    lines = [l for p in sorted((root / "corpus").glob("*.txt")) for l in p.read_text(encoding="utf-8").splitlines()]
    rng = random.Random(4)
    cities = ["安康市", "汉中市", "宜昌市"] + rng.sample([d.name for d in P.divisions() if d.level == "city"], 12)
    for city in cities:
        counties = list(P.counties_of(city))
        rx = leading_rx(city)
        probes = [l[i:] for l in lines[::4] for i in range(0, len(l), 9)]
        probes += [c + rng.choice(["区", "县", "市", "县长", "区委", "", "经济"]) for c in counties + ["全市", city]]
        for t in probes:
            m = rx.match(t)
            assert P.leading_place(t, city) == max(
                m.end() if m else 0, (z.end() if (z := P._rules()["zone"].match(t)) else 0)), (city, t)
        for c in counties[:8]:
            pat = regex.compile(regex.escape(c) + f"(?P<suffix>{suffix}(?!{office}))?")
            for t in probes[-len(counties) - 2:] + [f"{c}区委{c}县{c}"]:
                assert list(P._county_spans(c, t)) == [m.span() for m in pat.finditer(t)], (c, t)


def test_counties_of_every_city_are_those_of_a_scan_of_all_divisions():
    """counties_of reads an index of counties by prefecture: for every prefecture-level division it gives
    what a walk over the whole dataset gives (the counties whose adcode starts like the city's, and their
    unambiguous short names)."""
    from pipeline.normalise import places as P
    from pipeline.resources import load_tsv

    renamed = {(o["replaces"], o["name"]) for o in load_tsv("lexicons/places_overrides.tsv")}

    def scanned(city: str) -> dict[str, str]:
        d = P._by_name()[city]
        out, shorts = {}, {}
        for c in P.divisions():
            if c.level == "county" and c.adcode[:4] == d.adcode[:4]:
                out[c.name] = c.name
                shorts.setdefault(_short(c.name), []).append(c.name)
        for s, names in shorts.items():
            if len(names) == 2 and (tuple(sorted(names)) in renamed or tuple(sorted(names, reverse=True)) in renamed):
                names = names[:1]
            if len(names) == 1 and s not in out:
                out[s] = names[0]
        return out

    cities = sorted(P._cities())
    assert len(cities) > 300
    assert sum(len(P.counties_of(c)) for c in cities) > 2000
    for city in cities:
        assert P.counties_of(city) == scanned(city), city
