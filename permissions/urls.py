from django.urls import path

from permissions import views

app_name = "permissions"

urlpatterns = [
    path("", views.group_list, name="group_list"),
]
