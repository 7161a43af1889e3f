from django.urls import path

from .views import (
    analysis,
    campaigns,
    exports,
    framework,
    plan_items,
    plans,
    respond,
    respondents,
)

urlpatterns = [
    path("", framework.needs_home, name="needs-home"),
    path("frameworks/<int:pk>/", framework.framework_detail, name="needs-framework"),
    path("campaigns/new/", campaigns.campaign_create, name="needs-campaign-create"),
    path("campaigns/<int:pk>/", campaigns.campaign_detail, name="needs-campaign"),
    path("campaigns/<int:pk>/status/", campaigns.campaign_set_status, name="needs-campaign-status"),
    path("campaigns/<int:pk>/invite/", campaigns.campaign_invite, name="needs-campaign-invite"),
    path("campaigns/<int:pk>/respondents/", respondents.respondent_list, name="needs-respondents"),
    path(
        "campaigns/<int:pk>/respondents/<int:respondent>/designate/",
        respondents.respondent_designate,
        name="needs-respondent-designate",
    ),
    path(
        "campaigns/<int:pk>/respondents/<int:respondent>/edit/",
        respondents.respondent_edit,
        name="needs-respondent-edit",
    ),
    path("campaigns/<int:pk>/edit/", campaigns.campaign_edit, name="needs-campaign-edit"),
    path(
        "campaigns/<int:pk>/designate-heads/",
        respondents.designate_heads,
        name="needs-designate-heads",
    ),
    path("campaigns/<int:pk>/xlsform.xlsx", campaigns.xlsform_download, name="needs-xlsform"),
    path("campaigns/<int:pk>/import/", campaigns.import_upload, name="needs-import-upload"),
    path("imports/<int:pk>/", campaigns.import_detail, name="needs-import"),
    path("import-jobs/<int:pk>/", campaigns.import_job, name="needs-import-job"),
    path("campaigns/<int:pk>/analysis/", analysis.analysis, name="needs-analysis"),
    path(
        "campaigns/<int:pk>/analysis/people/",
        analysis.analysis_people,
        name="needs-analysis-people",
    ),
    path(
        "campaigns/<int:pk>/analysis/baseline/",
        analysis.analysis_compare,
        name="needs-analysis-compare",
    ),
    path(
        "campaigns/<int:pk>/recommendations/",
        analysis.recommendations,
        name="needs-recommendations",
    ),
    path(
        "campaigns/<int:pk>/recommendations/<int:course>.csv",
        analysis.recommendation_people_csv,
        name="needs-recommendation-people",
    ),
    path("campaigns/<int:pk>/report/", exports.report_documents, name="needs-report"),
    path("plans/<int:pk>/documents/", exports.plan_documents, name="needs-plan-export"),
    path("documents/<int:pk>/", exports.export_detail, name="needs-export"),
    path("documents/<int:pk>/download/", exports.export_download, name="needs-export-download"),
    path("respond/<int:pk>/", respond.respond_start, name="needs-respond"),
    path("respond/<int:pk>/review/", respond.respond_review, name="needs-respond-review"),
    path(
        "respond/<int:pk>/item/<int:competency>/", respond.respond_item, name="needs-respond-item"
    ),
    path("respond/<int:pk>/<slug:domain>/", respond.respond_page, name="needs-respond-page"),
    path("plans/new/", plans.plan_create, name="needs-plan-create"),
    path("plans/<int:pk>/", plans.plan_detail, name="needs-plan"),
    path("plans/<int:pk>/edit/", plans.plan_edit, name="needs-plan-edit"),
    path("plans/<int:pk>/objectives/new/", plans.objective_form, name="needs-objective-create"),
    path(
        "plans/<int:pk>/objectives/<int:objective>/edit/",
        plans.objective_form,
        name="needs-objective-edit",
    ),
    path(
        "plans/<int:pk>/objectives/<int:objective>/indicators/new/",
        plans.indicator_form,
        name="needs-indicator-create",
    ),
    path(
        "plans/<int:pk>/objectives/<int:objective>/indicators/<int:indicator>/edit/",
        plans.indicator_form,
        name="needs-indicator-edit",
    ),
    path(
        "plans/<int:pk>/objectives/<int:objective>/interventions/new/",
        plans.intervention_form,
        name="needs-intervention-create",
    ),
    path(
        "plans/<int:pk>/objectives/<int:objective>/interventions/<int:intervention>/edit/",
        plans.intervention_form,
        name="needs-intervention-edit",
    ),
    path(
        "plans/<int:pk>/objectives/<int:objective>/delete/",
        plan_items.objective_delete,
        name="needs-objective-delete",
    ),
    path(
        "plans/<int:pk>/indicators/<int:indicator>/delete/",
        plan_items.indicator_delete,
        name="needs-indicator-delete",
    ),
    path(
        "plans/<int:pk>/interventions/<int:intervention>/delete/",
        plan_items.intervention_delete,
        name="needs-intervention-delete",
    ),
    path(
        "plans/<int:pk>/measurements/<int:measurement>/delete/",
        plan_items.measurement_delete,
        name="needs-measurement-delete",
    ),
    path(
        "plans/<int:pk>/indicators/<int:indicator>/measure/",
        plans.measurement_add,
        name="needs-plan-measure",
    ),
    path(
        "plans/<int:pk>/interventions/<int:intervention>/",
        plans.intervention_update,
        name="needs-plan-intervention",
    ),
]
