"""The analysis charts draw the campaign's figures (rendered by vl-convert, as in the PDFs)."""

import pytest
import vl_convert

from plancampus.needs.services.analysis import analyse, campaign_data_load
from plancampus.needs.services.charts import analysis_charts

pytestmark = pytest.mark.django_db


def _layers(spec):
    yield spec
    for layer in spec.get("layer", []):
        yield from _layers(layer)


def test_every_layer_reads_the_figures_or_its_own_data(answered):
    charts = analysis_charts(analyse(campaign_data_load(answered)), None)
    for name, spec in charts.items():
        assert spec["data"]["values"], name
        assert "empty" not in spec.get("datasets", {}), name
        for layer in _layers(spec):
            named = layer.get("data", {}).get("name")
            assert named is None or named in spec["datasets"], (name, named)


def test_quadrant_and_organisational_charts_draw_their_points(answered):
    analysis = analyse(campaign_data_load(answered))
    charts = analysis_charts(analysis, None)
    quadrant = vl_convert.vegalite_to_svg({**charts["quadrant"], "width": 520})
    # One circle per competency answered, labelled with its Borich rank.
    answered_needs = [n for n in analysis.needs if n.n]
    assert quadrant.count('role="graphics-symbol"') >= len(answered_needs)
    labels = [row["label"] for row in charts["quadrant"]["data"]["values"] if row["label"]]
    ranks = sorted(int(rank) for label in labels for rank in label.split(", "))
    assert ranks == sorted(n.rank for n in answered_needs)
    for label in labels:
        assert f">{label}</text>" in quadrant
    organisational = vl_convert.vegalite_to_svg({**charts["organisational"], "width": 520})
    assert "undefined" not in organisational
    for item in analysis.organisational:
        if item.n:
            assert item.competency.display_name in organisational


def test_points_on_one_another_share_one_label():
    from plancampus.needs.services.charts import _merge_close_labels

    rows = [
        {"performance": 1.92, "importance": 4.58, "label": "1"},
        {"performance": 1.94, "importance": 4.57, "label": "2"},
        {"performance": 2.40, "importance": 4.50, "label": "3"},
        {"performance": 1.95, "importance": 4.60, "label": "4"},
        {"performance": None, "importance": None, "label": "5"},
    ]
    _merge_close_labels(rows)
    assert [r["label"] for r in rows] == ["1, 2, 4", "", "3", "", "5"]
