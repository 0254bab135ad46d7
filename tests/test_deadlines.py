"""Deadlines in invented bulletin-style sentences, counter-examples, and the rule data."""
from datetime import date

import pytest
import regex
from hypothesis import given, settings, strategies as st

from pipeline.extract.deadlines import find_deadlines

D = date.fromisoformat

# (id, sentence, speech date, mention, date, task substring, responsible)
POSITIVE = [
    ("day-before-date", "市工信局要在7月1日前完成全市规上工业企业运行监测平台建设。", "2020-06-10",
     "7月1日前", "2020-06-30", "完成全市规上工业企业运行监测平台建设", "市工信局"),
    ("holiday-may-day", "各县区务必于“五一”前全面完成复工复产企业摸底排查。", "2020-04-20",
     "“五一”前", "2020-04-30", "全面完成复工复产企业摸底排查", "各县区"),
    ("holiday-topic-responsible-after", "国庆节前，市住建局要督促各施工企业完成主体工程封顶。", "2020-09-01",
     "国庆节前", "2020-09-30", "督促各施工企业完成主体工程封顶", "市住建局"),
    ("this-week-within", "请市财政局本周内将专项资金拨付到位。", "2020-05-07",
     "本周内", "2020-05-10", "将专项资金拨付到位", "市财政局"),
    ("year-end-before", "市发改委要在年底前完成“十四五”规划纲要编制工作。", "2020-09-15",
     "年底前", "2020-12-31", "完成“十四五”规划纲要编制工作", "市发改委"),
    ("next-year-quarter", "力争明年一季度实现投产。", "2020-11-05",
     "明年一季度", "2021-03-31", "实现投产", None),
    ("next-friday-before", "各专班要在下周五之前报送一季度经济运行分析报告。", "2021-03-08",
     "下周五之前", "2021-03-18", "报送一季度经济运行分析报告", "各专班"),
    ("date-before-topic", "6月30日前，各县（市、区）要完成存量拖欠账款清零。", "2020-05-20",
     "6月30日前", "2020-06-29", "完成存量拖欠账款清零", "各县（市、区）"),
    ("next-month-end", "下个月底前，市商务局要牵头组织一次线上展销活动。", "2020-06-10",
     "下个月底前", "2020-07-31", "组织一次线上展销活动", "市商务局"),
    ("tomorrow-morning", "明天上午，各县区要把防汛值班安排表报市应急管理局。", "2020-07-01",
     "明天上午", "2020-07-02", "把防汛值班安排表报市应急管理局", "各县区"),
    ("half-goal", "确保上半年实现“双过半”。", "2020-04-10",
     "上半年", "2020-06-30", "实现“双过半”", None),
    ("workdays", "市工信局牵头，10个工作日内拿出具体实施方案。", "2020-06-24",
     "10个工作日内", "2020-07-08", "拿出具体实施方案", "市工信局"),
    ("month-end-no-before", "各园区要在9月底完成标准化厂房主体建设。", "2021-06-01",
     "9月底", "2021-09-30", "完成标准化厂房主体建设", "各园区"),
    ("this-year-end-before", "今年年底前全面建成县域工业集中区污水处理设施。", "2021-03-08",
     "今年年底前", "2021-12-31", "建成县域工业集中区污水处理设施", None),
    ("spring-festival-rollover", "春节前要把农民工工资全部兑付到位。", "2020-12-20",
     "春节前", "2021-02-11", "把农民工工资全部兑付到位", None),
    ("national-day-quoted", "“十一”前完成景区提升改造。", "2021-08-01",
     "“十一”前", "2021-09-30", "完成景区提升改造", None),
    ("january-in-december", "1月底前，各县区要将年度考核材料报送市考核办。", "2020-12-15",
     "1月底前", "2021-01-31", "将年度考核材料报送市考核办", "各县区"),
    ("dotted-date", "务必在6.30前完成全部整改。", "2020-06-01",
     "6.30前", "2020-06-29", "完成全部整改", None),
    ("months-within", "市住建局要在3个月内完成老旧小区改造方案设计。", "2020-03-10",
     "3个月内", "2020-06-10", "完成老旧小区改造方案设计", "市住建局"),
    ("county-subject", "岚皋县要在10月15日前完成项目用地报批。", "2021-09-01",
     "10月15日前", "2021-10-14", "完成项目用地报批", "岚皋县"),
    ("next-monday-rollover", "下周一前，各级各部门要将自查报告报市政府办。", "2021-10-29",
     "下周一前", "2021-10-31", "将自查报告报市政府办", "各级各部门"),
    ("within-year-zone", "恒口示范区要确保年内开工建设。", "2021-03-08",
     "年内", "2021-12-31", "开工建设", "恒口示范区"),
    ("within-year-subject-goal", "壮大新材料产业，年内产值突破300亿元。", "2024-01-10",
     "年内", "2024-12-31", "产值突破300亿元", None),
    ("within-year-new-count", "加快培育创新型企业，年内新增专精特新企业30家。", "2022-02-16",
     "年内", "2022-12-31", "新增专精特新企业30家", None),
    ("commitment-then-within-year", "做强食品加工产业，力争年内集群产值达200亿元。", "2022-02-16",
     "年内", "2022-12-31", "集群产值达200亿元", None),
    ("quarter-end-subject-verb", "今年三季度末城北污水处理厂建成投用。", "2022-02-16",
     "今年三季度末", "2022-09-30", "城北污水处理厂建成投用", None),
    ("years-within-plan", "推动企业上市，三年内总数达到12家。", "2023-01-10",
     "三年内", "2025-12-31", "总数达到12家", None),
    ("dotted-holiday", "“七·一”前建成开放市档案馆新馆。", "2022-02-16",
     "“七·一”前", "2022-06-30", "建成开放市档案馆新馆", None),
    ("this-month-end", "有关部门要在本月底前出台具体实施细则。", "2020-05-07",
     "本月底前", "2020-05-31", "出台具体实施细则", "有关部门"),
    ("new-year-day", "元旦前要全面完成冬季取暖设施检修。", "2020-11-20",
     "元旦前", "2020-12-31", "完成冬季取暖设施检修", None),
    ("quarter-end", "力争二季度末实现满产达产。", "2020-04-01",
     "二季度末", "2020-06-30", "实现满产达产", None),
    ("xun", "下月中旬要召开全市项目观摩会。", "2020-05-07",
     "下月中旬", "2020-06-20", "召开全市项目观摩会", None),
    ("partner-not-responsible", "市场监管局要会同市商务局，于8月15日前完成全市商超价格专项检查。", "2020-08-01",
     "8月15日前", "2020-08-14", "完成全市商超价格专项检查", "市场监管局"),
    ("explicit-year-spaces", "各县区政府要在 2021 年 6 月底前完成全部清欠任务。", "2021-03-01",
     "2021 年 6 月底前", "2021-06-30", "完成全部清欠任务", "各县区政府"),
    ("tonight-clock", "今天会后，各县区要在今晚12点前上报排查情况。", "2020-02-10",
     "今晚12点前", "2020-02-10", "上报排查情况", "各县区"),
    ("topic-quarter", "四季度，要集中力量推动在建项目竣工投产。", "2021-10-29",
     "四季度", "2021-12-31", "推动在建项目竣工投产", None),
    ("tomorrow-request", "请市人社局明天组织召开企业用工对接会。", "2020-02-28",
     "明天", "2020-02-29", "组织召开企业用工对接会", "市人社局"),
    ("goal-object", "要求全县上下鼓足干劲，夺取首季“开门红”。", "2022-02-20",
     "首季", "2022-03-31", "夺取首季“开门红”", "全县上下"),
    ("arranger-not-responsible", "按照省发改委统一部署，9月底前要完成项目入库申报。", "2021-08-10",
     "9月底前", "2021-09-30", "完成项目入库申报", None),
    ("subject-kept", "力促所有拖欠账款在年底前全部清偿到位。", "2021-10-29",
     "年底前", "2021-12-31", "所有拖欠账款全部清偿到位", None),
    ("horizon-topic", "到年底，全市规上工业企业要达到800户。", "2021-10-29",
     "年底", "2021-12-31", "达到800户", None),
    ("plan-end", "争取在“十四五”末实现工业总产值翻番。", "2021-03-08",
     "“十四五”末", "2025-12-31", "实现工业总产值翻番", None),
    ("generic-task-uses-previous-clause", "各县区要不折不扣落实减税降费各项政策，确保在6月底前全部落实到位。", "2020-05-07",
     "6月底前", "2020-06-30", "落实减税降费各项政策", "各县区"),
]


@pytest.mark.parametrize("sentence,speech,mention,when,task,responsible", [c[1:] for c in POSITIVE],
                         ids=[c[0] for c in POSITIVE])
def test_deadline(sentence, speech, mention, when, task, responsible):
    found = find_deadlines(sentence, D(speech))
    assert len(found) == 1, found
    d = found[0]
    assert d.mention == mention
    assert sentence[d.start:d.end] == mention
    assert d.date == D(when)
    assert task in d.task
    assert not regex.search(r"\s", d.task)
    assert d.responsible == responsible


NEGATIVE = [
    ("past-meeting-date", "2月18日召开的全市重点项目开工会议，吹响了冲锋号。", "2021-03-08"),
    ("statistics-range", "1-5月，全市规上工业增加值同比增长3.2%。", "2020-06-24"),
    ("since-this-year", "今年以来，全市工业经济持续回升。", "2021-10-29"),
    ("asap-has-no-date", "各县区要尽快完成企业复工复产排查。", "2020-02-28"),
    ("past-quarter-statistic", "一季度，全市规上工业增加值同比下降12.3%。", "2020-05-07"),
    ("today-done", "今天出台了稳定外贸发展的10条政策措施。", "2020-05-07"),
    ("as-of", "截至5月底，全市累计清偿拖欠账款3.2亿元。", "2020-06-10"),
    ("last-week-meeting", "上周，市政府召开了专题会议研究园区建设。", "2021-03-08"),
    ("plan-period", "“十四五”时期，要把工业强市摆在突出位置。", "2021-03-08"),
    ("same-period", "与去年同期相比，用电量增长5.1%。", "2021-03-08"),
    ("cumulative-quarters", "前三季度，全市县域工业集中区完成产值210亿元。", "2021-10-29"),
    ("meeting-reference", "市长6月17日在全市经济运行分析会议上提出了明确要求。", "2020-06-24"),
    ("past-year-end", "到2019年底，全市已布点毛绒玩具企业300家。", "2020-05-07"),
    ("qianwang-is-not-before", "10月20日前往市工信局调研座谈。", "2021-10-29"),
    ("quarter-in-meeting-name", "市委、市政府召开了全市一季度重点项目集中开工会议。", "2021-03-08"),
    ("half-as-topic-of-statement", "下半年经济形势依然严峻复杂。", "2020-06-24"),
    ("whole-year-target", "全年新增规上工业企业40户以上。", "2020-02-28"),
    ("today-meeting", "今天召开全市工业经济运行调度会议。", "2021-10-29"),
    ("past-month", "3月份主要经济指标呈现回升势头。", "2020-05-07"),
    ("quarter-as-modifier", "要依托一季度集中开工项目开展督查检查。", "2021-03-08"),
    ("frequency", "每季度举行1次政银企对接活动。", "2021-03-08"),
    ("year-end-as-frame", "在年底冲刺这场攻坚战中，我们要奋起直追。", "2021-10-29"),
    ("already-done", "5月底前已全部兑现到位。", "2020-06-10"),
    ("before-and-after", "国庆前后要加强值班值守。", "2020-09-01"),
    ("years-ago", "三年前这里还是一片荒滩。", "2020-09-01"),
    ("whole-year-domestic-capital", "全年内资到位850亿元、增长12%。", "2022-02-16"),
    ("within-year-no-goal", "年内的重点工作有以下几项。", "2022-02-16"),
    ("past-plan-end", "“十三五”末，全市规上工业企业达到700户。", "2021-03-08"),
    ("monthly-routine", "请各县区在每月5日前报送上月数据。", "2021-03-08"),
    ("from-next-week", "从下周开始，各专班每周报送一次工作进展。", "2021-03-08"),
    ("meeting-in-late-may", "5月下旬召开的会议上，市长作了部署。", "2020-06-24"),
]


@pytest.mark.parametrize("sentence,speech", [c[1:] for c in NEGATIVE], ids=[c[0] for c in NEGATIVE])
def test_not_a_deadline(sentence, speech):
    assert find_deadlines(sentence, D(speech)) == []


def test_offsets_in_sentence_with_two_deadlines():
    s = "市工信局要在6月底前完成摸底，年内全部建成投用。"
    found = find_deadlines(s, D("2020-05-07"))
    assert [(d.mention, d.date) for d in found] == [("6月底前", D("2020-06-30")), ("年内", D("2020-12-31"))]
    assert [s[d.start:d.end] for d in found] == ["6月底前", "年内"]


_PIECES = ["6", "12", "月", "底", "前", "之前", "日", "年", "2020", "下周", "五", "三季度", "今天", "晚上", "内",
           "，", "。", "要", "完成", "市工信局", "各县区", "在", "于", "“五一”", "国庆节", "以来", "截至", " ", "了",
           "夺取", "首季", "开门红", "上半年", "十三五", "末", "个工作日", "3", ".", "30", "会议上", "请"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), max_size=14), st.dates(min_value=date(2016, 1, 1), max_value=date(2029, 12, 31)))
def test_never_raises_and_offsets_hold(pieces, speech):
    sentence = "".join(pieces)
    for d in find_deadlines(sentence, speech):
        assert sentence[d.start:d.end] == d.mention
        assert d.date >= speech and d.task


def _doc_sentences(parts_and_texts, when):
    from pipeline.model import Part, Sentence
    from pipeline.segment import word_pass

    out = []
    for i, (part, text) in enumerate(parts_and_texts):
        words, tags = word_pass(text)
        out.append(Sentence(i, f"s{i}", text, 0, len(text), 0, len(text), part=part, words=words, tags=tags))
    return out


def test_a_review_part_sets_no_deadline_and_a_later_plan_year_is_its_own():
    """A dated review reports work done; a report of December planning the next year means that year's 年内."""
    from pipeline.extract.deadlines import extract_deadlines
    from pipeline.model import Metadata, Part

    review = Part("一、2021年工作回顾", "review", 2021, 2021, True)
    plan = Part("二、2022年工作安排", "plan", 2022, 2022, True)
    when = D("2021-12-28")
    sents = _doc_sentences([(review, "年内新增高新技术企业45家。"), (plan, "年内新增高新技术企业60家。")], when)
    found = extract_deadlines(sents, Metadata(speech_date=when, reference_date=when))
    assert [(d.sentence, d.date) for d in found] == [(1, D("2022-12-31"))]
