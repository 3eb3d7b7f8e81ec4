"""The server-error page: drawn with no request, no user and no context."""

from django.test import RequestFactory
from django.views.defaults import server_error


def test_server_error_page_stands_alone_in_the_sites_look():
    response = server_error(RequestFactory().get("/portal/"))

    assert response.status_code == 500
    body = response.content.decode()
    assert "Something went wrong" in body
    assert "Please try again in a few minutes." in body
    assert 'href="/static/css/site.css"' in body
    assert '<html lang="en' in body
