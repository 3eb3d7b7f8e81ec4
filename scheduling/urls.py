from django.urls import path

from scheduling import views

app_name = "scheduling"

urlpatterns = [
    path("", views.appointment_list, name="appointment_list"),
    path("new/", views.appointment_create, name="appointment_create"),
    path("unhide/", views.appointment_unhide_bulk, name="appointment_unhide_bulk"),
    path(
        "settings/additional/",
        views.settings_additional,
        name="settings_additional",
    ),
    path("<uuid:public_id>/", views.appointment_detail, name="appointment_detail"),
    path("<uuid:public_id>/edit/", views.appointment_edit, name="appointment_edit"),
    path(
        "<uuid:public_id>/cancel/", views.appointment_cancel, name="appointment_cancel"
    ),
    path(
        "<uuid:public_id>/outcome/",
        views.appointment_outcome,
        name="appointment_outcome",
    ),
    path(
        "<uuid:public_id>/unhide/", views.appointment_unhide, name="appointment_unhide"
    ),
    path(
        "<uuid:public_id>/unhide-following/",
        views.appointment_unhide_following,
        name="appointment_unhide_following",
    ),
]
