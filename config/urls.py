from django.contrib import admin
from django.urls import include, path

from config import views as config_views

urlpatterns = [
    path("", config_views.home, name="home"),
    path("accounts/", include("allauth.urls")),
    path("portal/", include("portal.urls")),
    path("staff/scheduling/", include("scheduling.urls")),
    path("staff/permissions/", include("permissions.urls")),
    path("admin/", admin.site.urls),
]
