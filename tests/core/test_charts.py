"""Charts are accessible SVG drawn on the server, and long commands show their progress."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import date

import pytest
from flask_babel import force_locale

from core.charts import Bar, Series, bar_chart, column_chart, line_chart, nice_ticks

SVG = "{http://www.w3.org/2000/svg}"


def _parse(markup) -> ET.Element:
    return ET.fromstring(str(markup))  # noqa: S314 - our own output


def test_a_bar_chart_is_an_image_named_by_its_title_and_description():
    chart = bar_chart([Bar("中医药文化周", 0.8, "16/20"), Bar("<script>", 0.5, "5/10")],
                      maximum=1.0, chart_id="c1", title="Attendance by event",
                      description="Checked in out of registered.")
    svg = _parse(chart)
    assert svg.get("role") == "img"
    assert svg.get("aria-labelledby") == "c1-title c1-desc"
    assert svg.find(f"{SVG}title").text == "Attendance by event"
    assert svg.find(f"{SVG}desc").text == "Checked in out of registered."
    assert "<script>" not in str(chart)  # labels are escaped
    assert "style=" not in str(chart)  # presentation attributes only (CSP)
    widths = [float(r.get("width")) for r in svg.iter(f"{SVG}rect")]
    assert widths[0] > widths[1] > 0
    # Each bar says its own figure to a screen reader.
    assert [g.find(f"{SVG}title").text for g in svg.iter(f"{SVG}g")] == [
        "中医药文化周: 16/20", "<script>: 5/10"]


def test_a_column_chart_draws_one_column_per_week_and_nothing_without_data():
    chart = column_chart([Bar("11/23", 3, "3"), Bar("11/30", 0, "0"), Bar("12/07", 6, "6")],
                         chart_id="w", title="Places booked per week", description="d")
    heights = [float(r.get("height")) for r in _parse(chart).iter(f"{SVG}rect")]
    assert heights == [60.0, 0.0, 120.0]  # ticks 0–6: the tallest column reaches the top
    assert column_chart([], chart_id="x", title="t", description="d") is None
    assert bar_chart([], chart_id="x", title="t", description="d") is None


def _texts(svg, css):
    return [t.text for t in svg.iter(f"{SVG}text") if t.get("class") == css]


def test_round_ticks_cover_the_values():
    assert nice_ticks(0, 6) == [0, 2, 4, 6]
    assert nice_ticks(0, 1) == [0, 0.25, 0.5, 0.75, 1.0]
    assert nice_ticks(72, 141) == [60, 80, 100, 120, 140, 160]
    assert nice_ticks(5, 5)[0] <= 5 <= nice_ticks(5, 5)[-1]


@pytest.mark.parametrize(("locale", "ticks", "first_day", "last_day"), [
    ("zh_Hans_CN", ["1,000", "1,500", "2,000", "2,500"], "2025年3月2日", "2026年12月8日"),
    ("en", ["1,000", "1,500", "2,000", "2,500"], "Mar 2, 2025", "Dec 8, 2026")])
def test_a_line_chart_has_a_title_a_unit_babel_ticks_and_dates_and_a_legend_below(
        app, locale, ticks, first_day, last_day):
    # Spanning two years, the axis dates say their year.
    series = [Series("Systolic", [(date(2025, 3, 2), 1200), (date(2026, 12, 8), 2400)]),
              Series("Diastolic", [(date(2025, 3, 2), 1100), (date(2026, 12, 8), 1300)])]
    with app.test_request_context(), force_locale(locale):
        svg = _parse(line_chart(chart_id="bp", title="Blood pressure", description="d",
                                series=series, limit=1400, axis_label="mmHg",
                                limit_label="Guideline"))
    assert _texts(svg, "chart-title") == ["Blood pressure"]  # visible, not only <title>
    assert _texts(svg, "chart-axis-label") == ["mmHg"]
    assert _texts(svg, "chart-tick") == ticks  # round numbers, grouped by Babel
    assert _texts(svg, "chart-date") == [first_day, last_day]  # never ISO
    assert "2025-" not in ET.tostring(svg, encoding="unicode")
    legend = svg.find(f"{SVG}g[@class='chart-legend']")
    assert [t.text for t in legend.iter(f"{SVG}text")] == ["Systolic", "Diastolic",
                                                           "Guideline"]
    # The legend sits below the plot: under the x axis, so it never covers a line.
    axis_y = max(float(line.get("y1")) for line in svg.iter(f"{SVG}line"))
    assert min(float(t.get("y")) for t in legend.iter(f"{SVG}text")) > axis_y + 16
    plotted = [float(c.get("cy")) for c in svg.iter(f"{SVG}circle")]
    assert max(plotted) <= axis_y
    viewbox_h = float(svg.get("viewBox").split()[3])
    assert max(float(t.get("y")) for t in legend.iter(f"{SVG}text")) < viewbox_h


def test_a_percentage_bar_chart_names_its_unit_and_formats_ticks_as_percentages(app):
    from park.reports import bar_chart as kind_chart
    with app.test_request_context(), force_locale("zh_Hans_CN"):
        svg = _parse(kind_chart([("讲座", 1 / 1), ("体育", 2 / 3)], maximum=1.0,
                                chart_id="k", title="按类型的出勤率", description="d",
                                axis_label="出勤率（%）"))
    assert _texts(svg, "chart-title") == ["按类型的出勤率"]
    assert _texts(svg, "chart-axis-label") == ["出勤率（%）"]
    assert _texts(svg, "chart-tick") == ["0%", "25%", "50%", "75%", "100%"]
    assert [g.find(f"{SVG}title").text for g in svg.iter(f"{SVG}g")] == [
        "讲座: 100%", "体育: 67%"]  # a share of each kind's own registrations


def test_a_column_chart_has_a_unit_round_ticks_and_its_legend_below(app):
    with app.test_request_context(), force_locale("en"):
        svg = _parse(column_chart([Bar("Dec 7", 1234, "1,234"), Bar("Dec 14", 700, "700")],
                                  chart_id="c", title="Spent", description="d",
                                  background=[2000, 2000], axis_label="Amount (CN¥)",
                                  legend=["Spent", "Allocated"]))
    assert _texts(svg, "chart-axis-label") == ["Amount (CN¥)"]
    assert _texts(svg, "chart-tick") == ["0", "500", "1,000", "1,500", "2,000"]
    legend = svg.find(f"{SVG}g[@class='chart-legend']")
    assert [t.text for t in legend.iter(f"{SVG}text")] == ["Spent", "Allocated"]


def test_seeding_the_demo_park_shows_its_progress(flask_cli):
    result = flask_cli("seed-demo")
    assert result.exit_code == 0, result.output
    assert "Seeding the demo park" in result.output
    assert "Xinjing Demo Park" in result.output


def test_syncing_calendars_shows_its_progress_even_with_none_to_read(runner):
    result = runner.invoke(args=["providers-sync-calendars"])
    assert result.exit_code == 0, result.output
    assert "calendars synced: 0, failed: 0" in result.output


def test_care_outcomes_show_babel_percentages_withhold_small_shares_legend_below(app):
    from care.outcomes import Indicator, Outcomes, Share, chart
    result = Outcomes("park:1", 2026, 5, 40, [
        Indicator("bp", "血压达标", Share(11, 16, 5), Share(2, 3, 5)),  # 3 people < k
        Indicator("checkup", "完成体检", Share(30, 40, 5), None)])
    with app.test_request_context(), force_locale("zh_Hans_CN"):
        svg = _parse(chart(result, title="健康结果", this_label="2026", last_label="2025",
                           suppressed_label="未显示（少于 5 人）", axis_label="占比（%）"))
    assert _texts(svg, "chart-title") == ["健康结果"]
    assert _texts(svg, "chart-axis-label") == ["占比（%）"]
    assert _texts(svg, "chart-tick") == ["0%", "25%", "50%", "75%", "100%"]
    texts = [t.text for t in svg.iter(f"{SVG}text")]
    assert "69%" in texts and "67%" not in texts  # 2 of 3 is below k: withheld
    assert "未显示（少于 5 人）" in texts
    legend = svg.find(f"{SVG}g[@class='chart-legend']")
    assert [t.text for t in legend.iter(f"{SVG}text")] == ["2026", "2025"]
    bars_bottom = max(float(r.get("y")) + float(r.get("height"))
                      for r in svg.iter(f"{SVG}rect") if r not in legend)
    assert min(float(t.get("y")) for t in legend.iter(f"{SVG}text")) > bars_bottom
