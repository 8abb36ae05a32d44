from django.urls import path

from capabilities import views

app_name = "capabilities"

WORKSPACE = "guidelines/<str:key>/workspace/"
CAPABILITY = WORKSPACE + "capabilities/<str:capability_key>/"

urlpatterns = [
    path(WORKSPACE, views.workspace, name="workspace"),
    path(WORKSPACE + "log/", views.change_log, name="log"),
    path(WORKSPACE + "propose/", views.propose, name="propose"),
    path(WORKSPACE + "score/<str:capability_key>/", views.score, name="score"),
    path(
        WORKSPACE + "score/<str:capability_key>/withdraw/",
        views.score_withdraw,
        name="score_withdraw",
    ),
    path(WORKSPACE + "consensus/<str:capability_key>/", views.consensus, name="consensus"),
    path(WORKSPACE + "findings/override/", views.override, name="override"),
    path(WORKSPACE + "worksheets/", views.worksheets, name="worksheets"),
    path(
        WORKSPACE + "worksheets/<str:name>/text/",
        views.worksheet_download_text,
        name="worksheet_text",
    ),
    path(
        WORKSPACE + "worksheets/<str:name>/csv/", views.worksheet_download_csv, name="worksheet_csv"
    ),
    path(CAPABILITY, views.capability, name="capability"),
    path(CAPABILITY + "edit/", views.capability_edit, name="capability_edit"),
    path(CAPABILITY + "move/", views.capability_move_view, name="capability_move"),
    path(CAPABILITY + "rename/", views.capability_rename_view, name="capability_rename"),
    path(CAPABILITY + "lineage/", views.capability_lineage_view, name="capability_lineage"),
    path(CAPABILITY + "tests/<int:test_id>/flag/", views.test_flag, name="test_flag"),
    path(CAPABILITY + "tests/<int:test_id>/unflag/", views.test_unflag, name="test_unflag"),
]
