from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from console.auth import PasswordChangeView, SignInView

urlpatterns = [
    path("", include("console.urls")),
    path("", include("customers.console_urls")),
    path("", include("automation.urls")),
    path("", include("routing.urls")),
    path("login/", SignInView.as_view(), name="login"),
    path("reports/", include("insights.urls")),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/", PasswordChangeView.as_view(), name="password_change"),
    path("password/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("admin/", admin.site.urls),
    # Before the core's API: /api/v1/customers/events/ must not be read as the customer "events".
    path("api/v1/customers/", include("customers.api.urls")),
    path("api/v1/stores/", include("commerce.store_api")),
    path("api/v1/reports/", include("insights.api.urls")),
    path("api/v1/", include("marketing.api.urls")),
    path("api/v1/", include("api.urls")),
    path("", include("commerce.urls")),
    path("marketing/", include("marketing.urls")),
    path("", include("channels_adapters.urls")),
    path("", include("channels_adapters.webchat.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
]


if settings.OMNIDESK_BENCH:
    # Baseline views of the benchmark suite (bench/): never mounted in a normal run.
    urlpatterns.append(path("bench/", include("bench.django_app.urls")))
