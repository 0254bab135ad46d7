"""The synthetic corpus of `make bench --synthetic N`: the scale case (thousands of bulletins).

The five corpus/ bulletins, each copy with its body paragraphs shuffled,
numbers scaled, dates and years shifted, the city and the names of people and
enterprises replaced, from a seeded RNG, so every run measures the same
distinct texts. The names listed here are those replaced, so that no copy
keeps them.
"""
from __future__ import annotations

import random
from datetime import date, timedelta
from pathlib import Path

import regex

from .config import PROJECT_DIR
from .readers import read_source

# People and enterprise names of the five bulletins (tests/gold): replaced per copy.
NAMES = ("寇全安", "赵俊民", "高晶华", "汪小卫", "伍文", "启政", "华晔", "圣鑫", "奥邦", "宝通", "康汇", "普方", "普欣",
         "永春", "沣康", "禾瑞", "北医大", "及时雨", "安贝斯", "普瑞达", "汇美思", "索啦咪", "菜字头", "金思铭", "中云",
         "华银", "合力", "泸康")
NAME_CHARS = "安宝博昌达德东方丰福富国海浩和恒宏华汇佳嘉金锦晶景俊凯康坤蓝力利隆美明南鹏普奇瑞润森盛顺泰天通万伟鑫信星兴旭阳耀亿益英永宇元源远悦云泽展振正志中卓"
CITIES = ("安康", "汉中", "商洛", "宝鸡", "咸阳", "渭南", "延安", "榆林", "铜川", "天水")
# One pass over dates, years and measured numbers, so that nothing is altered twice. A measured number
# is not a month, day, ordinal, or the second end of a range such as 1-5月.
_TOKEN = regex.compile(
    r"(?P<date>(?P<y>\d{4})(?P<s1>\s*)年(?P<s2>\s*)(?P<m>\d{1,2})(?P<s3>\s*)月(?P<s4>\s*)(?P<d>\d{1,2})(?P<s5>\s*)日)"
    r"|(?P<year>(?<!\d)(?:19|20)\d\d(?=\s*(?:年|—|-|至)))"
    r"|(?<![\d.第\-—至到~])(?P<n>\d+(?:\.\d+)?)(?![\d.]|\s*[年月日号时期届次季\-—至到~])")
_SPEECH_DATE = regex.compile(r"^\s*[（(].*\d\s*日.*[）)]\s*$")
_PARA_END = tuple("。：！？；")
_FOOTER = regex.compile(r"\s*(?:主\s*送|抄\s*送|印\s*发)\s*[:：]")  # as rules/clean.toml [footer]


# ---------------------------------------------------------------- synthetic corpus
def _base_texts() -> list[str]:
    files = sorted((PROJECT_DIR / "corpus").glob("*.txt"))
    if not files:
        raise SystemExit(f"bench: no bulletins in {PROJECT_DIR / 'corpus'} to vary")
    return [read_source(p).text for p in files]


def _paragraphs(lines: list[str]) -> list[str]:
    """Lines grouped into paragraphs: a paragraph ends with a sentence end or a short (heading) line."""
    paras, cur = [], []
    for line in lines:
        cur.append(line)
        core = line.strip()
        if core and (core.endswith(_PARA_END) or len(core) < 20):
            paras.append("".join(cur))
            cur = []
    if cur:
        paras.append("".join(cur))
    return paras


def vary(text: str, rnd: random.Random) -> str:
    """One synthetic bulletin from a real one: header kept, body shuffled, numbers, dates and names altered.

    Dates and years move by whole years (plus a few days) and the city changes, so copies of one speech
    spread over periods and places as a real multi-year, multi-city corpus does, instead of restating
    the same series hundreds of times.
    """
    lines = text.splitlines(keepends=True)
    cut = next((i + 1 for i, l in enumerate(lines[:30]) if _SPEECH_DATE.match(l)), min(len(lines), 12))
    if not lines[-1].endswith(("\n", "\r")):
        lines[-1] += "\n"
    foot = next((i for i in range(cut, len(lines)) if _FOOTER.match(lines[i])), len(lines))
    body = _paragraphs(lines[cut:foot])
    rnd.shuffle(body)
    out = "".join(lines[:cut] + body + lines[foot:])  # the distribution footer stays last: cleaning stops there

    years, days = rnd.randint(-6, 6), timedelta(days=rnd.randint(-60, 60))

    def alter(m):
        if m["date"]:
            try:
                d = date(int(m["y"]) + years, int(m["m"]), min(int(m["d"]), 28)) + days
            except ValueError:
                return m.group()
            return f"{d.year}{m['s1']}年{m['s2']}{d.month}{m['s3']}月{m['s4']}{d.day}{m['s5']}日"
        if m["year"]:
            return str(int(m["year"]) + years)
        n = m["n"]
        decimals = len(n.split(".")[1]) if "." in n else 0
        return f"{max(float(n) * rnd.uniform(0.6, 1.4), 1.0):.{decimals}f}"

    out = _TOKEN.sub(alter, out)
    city = rnd.choice(CITIES)
    if city != "安康":
        out = out.replace("安康", city)
    for name in NAMES:
        if name in out and rnd.random() < 0.8:
            out = out.replace(name, "".join(rnd.choice(NAME_CHARS) for _ in name))
    return out


def build_corpus(folder: Path, n: int, seed: int = 7) -> list[str]:
    """n distinct synthetic bulletins written as UTF-8 files into folder; returns their texts."""
    base = _base_texts()
    folder.mkdir(parents=True, exist_ok=True)
    texts, seen = [], set()
    for i in range(n):
        rnd = random.Random(f"{seed}-{i}")
        t = vary(base[i % len(base)], rnd)
        while t in seen:  # vanishingly rare; keeps the document count exact
            t = vary(base[i % len(base)], rnd)
        seen.add(t)
        (folder / f"{i:05d}.txt").write_text(t, encoding="utf-8", newline="")
        texts.append(t)
    return texts
