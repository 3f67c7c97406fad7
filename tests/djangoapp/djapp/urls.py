from django.urls import include, path

from djapp import views

urlpatterns = [
    path("ht/", include("health_check.urls")),
    path("ready/", views.ReadyView.as_view()),
    path("api/records", views.records),
    path("api/cached", views.cached),
    path("api/writes", views.writes),
    path("api/compute", views.compute),
    path("api/stats", views.stats),
    path("api/slow", views.slow),
    path("api/tarot/ai-interpret", views.slow),
    path("", include("django_prometheus.urls")),
]
