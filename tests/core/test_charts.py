"""Charts are accessible SVG drawn on the server, and long commands show their progress."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from core.charts import Bar, bar_chart, column_chart

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
    assert heights == [60.0, 0.0, 120.0]
    assert column_chart([], chart_id="x", title="t", description="d") is None
    assert bar_chart([], chart_id="x", title="t", description="d") is None


def test_seeding_the_demo_park_shows_its_progress(runner):
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    assert "Seeding the demo park" in result.output
    assert "Xinjing Demo Park" in result.output


def test_syncing_calendars_shows_its_progress_even_with_none_to_read(runner):
    result = runner.invoke(args=["providers-sync-calendars"])
    assert result.exit_code == 0, result.output
    assert "calendars synced: 0, failed: 0" in result.output
