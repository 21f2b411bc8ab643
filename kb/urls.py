from django.contrib import admin
from django.urls import path

from kb import api, changes, feedback, views

urlpatterns = [
    path("", views.home, name="home"),
    path("codes/", views.code_list, name="code_list"),
    path("codes/<str:code>/", views.code_detail, name="code_detail"),
    path("providers/", views.provider_list, name="provider_list"),
    path("providers/<slug:slug>/", views.provider_detail, name="provider_detail"),
    path("analyze/", views.analyze, name="analyze"),
    path("reasons/", views.reasons, name="reasons"),
    path("feedback/", feedback.feedback, name="feedback"),
    path("changes/", changes.changes, name="changes"),
    path("changes/feed/", changes.changes_feed, name="changes_feed"),
    path("healthz", views.healthz, name="healthz"),
    path("readyz", views.readyz, name="readyz"),
    path("sitemap.xml", views.sitemap, name="sitemap"),
    path("robots.txt", views.robots, name="robots"),
    path("opensearch.xml", views.opensearch, name="opensearch"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("api/", views.api_docs, name="api_docs"),
    path("api/v1/openapi.json", views.openapi_json, name="api_openapi"),
    path("api/v1/codes/", api.code_list, name="api_code_list"),
    path("api/v1/codes/<str:code>/", api.code_detail, name="api_code_detail"),
    path("api/v1/providers/", api.provider_list, name="api_provider_list"),
    path("api/v1/providers/<slug:slug>/", api.provider_detail, name="api_provider_detail"),
    path("api/v1/analyze", api.analyze, name="api_analyze"),
    path("api/v1/suggest", api.suggest, name="api_suggest"),
    path("admin/", admin.site.urls),
]
