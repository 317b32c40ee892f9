"""The project's URLs plus two pages the permission matrix does not know (tests/test_permission_matrix.py)."""

from django.http import HttpResponse
from django.urls import path

from config.urls import urlpatterns as project_urlpatterns


def _new_page(request):
    return HttpResponse("new")


urlpatterns = [*project_urlpatterns, path("new-page/", _new_page, name="new_page"),
               path("unnamed-page/", _new_page)]
