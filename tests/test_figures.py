"""Figures read from invented sentences in the style of bulletins (not from the corpus).

Each case: a speech body, one mention, and the fields a careful reader would type.
"""
from decimal import Decimal

import pytest

from pipeline.config import Settings
from pipeline.model import SourceDoc
from pipeline.runner import DOC_STAGES, run_stages

HEADER = "汉政通报\n\n第七期\n\n汉中市人民政府办公室\n\n2022年4月15日\n\n李明同志在全市工业经济推进会上的讲话\n\n（2022年4月12日）\n\n"


def figures(body: str, header: str = HEADER):
    """The figures the stages read in a bulletin of this body (the entity stage left out: not needed)."""
    store = {"source": SourceDoc(header + body + "\n", "txt", "utf-8", ["x.txt"]), "settings": Settings(ner=False)}
    return run_stages(store, tuple(s for s in DOC_STAGES if s.name not in ("entities", "rows")))["figures"]


def one(body: str, mention: str):
    found = [f for f in figures(body) if "".join(f.mention.split()) == mention]
    assert found, f"{mention} not found in {[f.mention for f in figures(body)]}"
    return found[0]


CASES = [
    ("一季度，全市规模以上工业增加值同比增长8.2%，高于全省2.1个百分点，居全省第3位。", "8.2%",
     dict(value=Decimal("8.2"), unit="%", kind="actual", indicator="规上工业增加值增速", scope="汉中市", period="2022-01/2022-03")),
    ("一季度，全市规模以上工业增加值同比增长8.2%，高于全省2.1个百分点，居全省第3位。", "2.1个百分点",
     dict(unit="百分点", kind="comparison", indicator="规上工业增加值增速", compared_to="全省", direction="higher")),
    ("一季度，全市规模以上工业增加值同比增长8.2%，高于全省2.1个百分点，居全省第3位。", "第3位",
     dict(value=Decimal(3), unit="位", kind="rank", scope="汉中市", indicator="规上工业增加值增速")),
    ("今年要确保新增规上工业企业30户以上，力争固定资产投资增长10%左右。", "30户以上",
     dict(value=Decimal(30), unit="户", qualifier=">=", kind="target", period="2022", commitment="确保",
          indicator="新增规上工业企业数")),
    ("今年要确保新增规上工业企业30户以上，力争固定资产投资增长10%左右。", "10%左右",
     dict(qualifier="~", kind="target", commitment="力争", indicator="固定资产投资增速")),
    ("去年，全市新建标准化厂房35万平方米，签约招商项目126个，总投资达286.5亿元。", "35万平方米",
     dict(value=Decimal(350000), unit="平方米", kind="actual", period="2021", indicator="新建标准化厂房面积")),
    ("去年，全市新建标准化厂房35万平方米，签约招商项目126个，总投资达286.5亿元。", "286.5亿元",
     dict(value=Decimal("28650000000"), unit="元", period="2021")),
    ("1-3月，全市工业用电量同比下降3.5%，较1-2月回落1.2个百分点。", "3.5%",
     dict(value=Decimal("-3.5"), kind="actual", period="2022-01/2022-03", indicator="工业用电量增速")),
    ("1-3月，全市工业用电量同比下降3.5%，较1-2月回落1.2个百分点。", "1.2个百分点",
     dict(value=Decimal("1.2"), kind="comparison", direction="lower", compared_to="1-2月", period="2022-01/2022-03")),
    ("南郑区已复工企业128户。", "128户", dict(scope="南郑区", indicator="复工企业数")),
    ("预计全年实现工业总产值突破1200亿元。", "1200亿元",
     dict(value=Decimal("120000000000"), qualifier=">", kind="forecast", indicator="工业总产值")),
    ("全市共有各类市场主体12.6万户，其中企业2.3万户。", "12.6万户",
     dict(value=Decimal(126000), unit="户", kind="actual", indicator="市场主体数")),
    ("5月底前，各县区要完成20个重点项目的开工任务。", "20个", dict(kind="target", scope="各县区", period="2022")),
    ("全省规上工业增加值由1-2月的同比下降1.5%转为增长2.4%。", "2.4%", dict(period=None, scope="陕西省")),
    ("全省规上工业增加值由1-2月的同比下降1.5%转为增长2.4%。", "1.5%",
     dict(value=Decimal("-1.5"), period="2022-01/2022-02", scope="陕西省")),
    ("全市规上工业增加值连续3个月正增长。", "3个月", dict(unit="个月", kind="actual")),
    ("县域经济占全市生产总值的58%以上。", "58%以上", dict(qualifier=">=", indicator="县域经济占生产总值比重")),
    ("工业投资、技改投资分别增长12.1%、30.5%。", "30.5%", dict(indicator="技改投资增速")),
    ("全市产值过50亿元的园区仅3个。", "3个", dict(kind="actual", indicator="产值过50亿元园区数")),
    ("吸纳就业3000余人。", "3000余人", dict(value=Decimal(3000), unit="人", qualifier=">")),
    ("务必在年底前实现新增就业1.2万人。", "1.2万人", dict(value=Decimal(12000), kind="target", commitment="务必")),
    ("全市非公经济占比达到58.3%，连续4年位居全省首位。", "4年", dict(period=None, unit="年")),
    ("2021年，全市非公经济占比达到58.3%，连续4年位居全省首位。", "4年", dict(period="2018/2021")),
    ("2021年，全市非公经济占比达到58.3%，连续4年位居全省首位。", "首位", dict(kind="rank", period="2018/2021")),
]


@pytest.mark.parametrize("body,mention,expected", CASES, ids=[f"{i:02d}-{c[1]}" for i, c in enumerate(CASES)])
def test_figure_fields(body, mention, expected):
    f = one(body, mention)
    for k, v in expected.items():
        assert getattr(f, k) == v, (k, getattr(f, k))


# What a figure measures, read from the number's own clause (extract/measured.py): invented sentences of a city
# that is in neither development set, one case per id.
OTHER = "商政通报\n\n第三期\n\n商洛市人民政府办公室\n\n2022年4月15日\n\n王强同志在全市经济工作会议上的讲话\n\n（2022年4月12日）\n\n"

INDICATORS = [
    ("list-inherits-its-verb", "全年新增规上服务业企业45家、科技型中小企业120家、省级瞪羚企业18家。", "120家", "新增科技型中小企业数"),
    ("counted-noun-after", "建成12个街道综合养老服务中心。", "12个", "建成街道综合养老服务中心数"),
    ("counted-subject-and-what-it-did", "36个重点项目建成投产。", "36个", "重点项目建成投产数"),
    ("pushing-verb-dropped", "推进58个背街小巷改造。", "58个", "改造背街小巷数"),
    ("threshold", "新落地3亿元以上外资项目42个。", "3亿元以上", "外资项目投资额门槛"),
    ("count-after-threshold", "新落地3亿元以上外资项目42个。", "42个", "新落地3亿元以上外资项目数"),
    ("threshold-measure", "年内新增纳税超5000万元企业6家、超千万元企业15家。", "5000万元", "企业纳税额门槛"),
    ("amount-before", "茶园面积稳定在85万亩以上，干毛茶产量不少于6万吨。", "85万亩以上", "茶园面积"),
    ("rate-takes-no-growth", "城市生活垃圾无害化处理率保持在100%。", "100%", "城市生活垃圾无害化处理率"),
    ("growth-rate", "地方一般公共预算收入增长6.8%。", "6.8%", "地方一般公共预算收入增速"),
    ("list-modifier-item", "城镇、农村居民人均消费支出分别增长4.5%、7.2%。", "4.5%", "城镇居民人均消费支出增速"),
    ("list-last-item", "城镇、农村居民人均消费支出分别增长4.5%、7.2%。", "7.2%", "农村居民人均消费支出增速"),
    ("list-contracted", "城乡居民人均存款余额分别达到5.2万元和2.1万元。", "2.1万元", "农村居民人均存款余额"),
    ("list-verb-items", "新签约、新投产招商项目分别达到64个、38个。", "64个", "新签约招商项目数"),
    ("list-shared-yearly", "民间投资、工业投资年均分别增长11%、16%。", "16%", "工业投资年均增速"),
    ("list-of-earlier-figures", "全年接待过夜游客850万人次，实现旅游综合消费96亿元，分别增长12%、15%。", "15%", "旅游综合消费增速"),
    ("rank-names-its-subject", "农产品加工业产值增速居全省第二。", "第二", "农产品加工业产值增速"),
    ("rank-past-its-field", "营商环境评价位列全省11个地市第3位，群众安全感全省第一。", "第3位", "营商环境评价"),
    ("rank-without-verb", "营商环境评价位列全省11个地市第3位，群众安全感全省第一。", "第一", "群众安全感"),
    ("rank-field-count", "营商环境评价位列全省11个地市第3位，群众安全感全省第一。", "11个", "地市数"),
    ("comparison-names-its-subject", "高技术制造业增加值占比提高了2.3个百分点。", "2.3个百分点", "高技术制造业增加值占比"),
    ("designated", "7个村被评为省级美丽乡村示范村，9个古村落列入省级历史文化名村名录。", "7个", "省级美丽乡村示范村数"),
    ("listed", "7个村被评为省级美丽乡村示范村，9个古村落列入省级历史文化名村名录。", "9个", "列入省级历史文化名村名录古村落数"),
    ("verb-takes-the-list-noun", "新建公办幼儿园12所、改扩建20所。", "20所", "改扩建公办幼儿园数"),
    ("cut-of-a-time", "工程建设项目审批时限压缩40%以上。", "40%以上", "工程建设项目审批时限压缩幅度"),
    ("long-predicate", "18个乡镇实现集中供水全覆盖。", "18个", "集中供水全覆盖的乡镇数"),
    ("growth-of-the-amount-before", "实现地区生产总值2450亿元、增长6.5%。", "6.5%", "生产总值增速"),
    ("quotes-and-footnote", "建成“口袋公园”〔3〕45个。", "45个", "建成口袋公园数"),
    ("generic-head-takes-the-counted-noun", "126个市级重点项目完成投资380亿元。", "380亿元", "市级重点项目完成投资"),
    ("amount-before-its-noun", "发放2000万元文旅惠民券，带动消费1.8亿元。", "2000万元", "文旅惠民券"),
    ("synonym", "全市规模以上服务业企业营业收入增长9.1%。", "9.1%", "规上服务业企业营业收入增速"),
    ("share-of", "民营经济占全市生产总值的比重达到46%。", "46%", "民营经济占生产总值比重"),
    ("multiple-of-the-whole", "全市生产总值突破2000亿元，是十年前的2.1倍。", "2.1倍", "生产总值"),
    ("verbs-joined-are-no-noun", "正常生产和达产企业260户。", "260户", "达产企业数"),
]


def other_figures(body: str):
    return figures(body, OTHER)


@pytest.mark.parametrize("body,mention,indicator", [c[1:] for c in INDICATORS], ids=[c[0] for c in INDICATORS])
def test_indicator(body, mention, indicator):
    found = [f for f in other_figures(body) if "".join(f.mention.split()) == mention]
    assert found, f"{mention} not found in {[f.mention for f in other_figures(body)]}"
    assert found[0].indicator == indicator


@pytest.mark.parametrize("body", [
    "认真贯彻“六稳”“六保”要求，落实“三个确保”。",
    "一是抓好复工复产。二是加快项目建设。",
    "2月18日召开了全市第一次会议，市委四届十二次全会作出部署。",
    "加快5G基站建设，筹备十四运相关工作。",
    "两年多来，产业发展迅速；剩下的两个月要全力冲刺。",
    "打造一批科技创新平台，培育一批示范企业。",
    "建成“智慧停车”系统〔4〕，上线运行“一网通办”〔5〕。",
    "实施企业上市三年行动，落实长江十年禁捕。",
    "加快328国道改线工程建设，开通12345与110联动平台。",
    "PM2.5浓度持续下降，新建220千伏变电站。",
    "严格落实中央八项规定精神，打造15分钟便民生活圈。",
], ids=["slogans", "list-markers", "dates-and-sessions", "names-with-numbers", "history-and-remaining-time",
        "articles", "footnote-markers", "campaign-names", "road-and-hotline-numbers", "latin-and-voltage-names",
        "titles-and-concepts"])
def test_no_figure(body):
    assert [f.mention for f in figures(body)] == []


def test_every_target_has_a_commitment_or_cue():
    figs = figures("要确保全年新增规上工业企业40户以上。计划新建标准化厂房20万平方米。")
    assert [(f.kind, f.commitment) for f in figs] == [("target", "确保"), ("target", "计划")]


def test_clause_before_is_the_backward_scan():
    """_clause_before (rfind of each clause end) is the character-by-character walk back it replaced."""
    import random

    from pipeline.extract.figures import _clause_before, _rules

    ends = _rules()["clause_end"]

    def plain(text, i):
        j = i
        while j > 0 and text[j - 1] not in ends:
            j -= 1
        return text[j:i]

    rng = random.Random(2)
    for _ in range(5000):
        t = "".join(rng.choice(ends + "ab增长") for _ in range(rng.randint(0, 15)))
        i = rng.randint(0, len(t))
        assert _clause_before(t, i) == plain(t, i), (t, i)


def test_last_of_is_the_last_of_the_characters_before_a_position():
    """_last_of (one backward regex search) is max(text.rfind(c, 0, i) for c in chars), for every
    position of sentences with and without the characters, regex-special ones among them."""
    from pipeline.extract.figures import _last_of

    texts = ["", "。", "全年增长5%，其中一季度增长3%；二季度：4%！", "无标点的一句话", "a]b^c-d\\e，f"]
    for chars in ("，。；：！？", "，；：", "]^-\\"):
        for text in texts:
            for i in range(len(text) + 1):
                assert _last_of(chars, text, i) == max(text.rfind(c, 0, i) for c in chars), (chars, text, i)
