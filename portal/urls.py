from django.urls import path

from portal import views

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("<uuid:client_id>/", views.client_home, name="client_home"),
    path("<uuid:client_id>/schedule/", views.schedule, name="schedule"),
    path(
        "<uuid:client_id>/schedule/<int:year>/<int:month>/",
        views.schedule_month,
        name="schedule_month",
    ),
    path(
        "<uuid:client_id>/schedule/<uuid:appointment_id>/",
        views.appointment_detail,
        name="appointment_detail",
    ),
    path("<uuid:client_id>/team/", views.team, name="team"),
    path(
        "<uuid:client_id>/messages/",
        views.module_page,
        {"module": "messages"},
        name="messages",
    ),
    path(
        "<uuid:client_id>/billing/",
        views.module_page,
        {"module": "billing"},
        name="billing",
    ),
    path(
        "<uuid:client_id>/clinical/",
        views.module_page,
        {"module": "clinical"},
        name="clinical",
    ),
]
