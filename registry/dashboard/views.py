"""The officials' dashboard: where cooperation stands, in charts and the same numbers in tables."""

from flask import current_app, render_template
from flask_babel import gettext as _

from registry.auth.permissions import roles_required
from registry.dashboard import bp, queries
from registry.i18n import localized
from registry.labels import label


@bp.get("/")
@roles_required("official", "admin")
def index():
    stalled_after_days = current_app.config.get("STALLED_AFTER_DAYS", queries.DEFAULT_STALLED_AFTER_DAYS)
    stages = queries.projects_by_stage(stalled_after_days=stalled_after_days)
    directions = queries.projects_by_direction()
    regions = queries.companies_and_needs_by_region()
    return render_template(
        "dashboard/index.html",
        stages=stages,
        matrix=queries.region_pair_matrix(),
        unpaired=queries.unpaired_projects(),
        directions=directions,
        regions=regions,
        stalled=queries.stalled_projects(stalled_after_days=stalled_after_days),
        stalled_total=sum(row.stalled for row in stages),
        stalled_after_days=stalled_after_days,
        activity=queries.recent_activity(),
        chart_data=chart_data(stages, directions, regions),
    )


def chart_data(stages, directions, regions) -> dict:
    """What static/dashboard.js draws; labels already translated, numbers plain. A chart whose numbers are
    all zero is not drawn: the page says so in words (`has_data`)."""
    charts = {
        "stages": {
            "labels": [label("stage", row.stage) for row in stages],
            "series": [{"label": _("Projects"), "data": [row.projects for row in stages]}],
        },
        "values": {
            "labels": [label("stage", row.stage) for row in stages],
            "series": [{"label": _("Value, roubles"), "data": [float(row.value_rub) for row in stages]}],
        },
        "directions": {
            "labels": [localized(row.direction) if row.direction else _("No direction") for row in directions],
            "series": [{"label": _("Projects"), "data": [row.projects for row in directions]}],
        },
        "regions": {
            "labels": [localized(row.region) for row in regions],
            "series": [{"label": _("Companies"), "data": [row.companies for row in regions]},
                       {"label": _("Open needs"), "data": [row.open_needs for row in regions]}],
        },
    }
    for chart in charts.values():
        chart["has_data"] = any(value for series in chart["series"] for value in series["data"])
    return charts
