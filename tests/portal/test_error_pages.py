"""With DEBUG off (production, and `make run` on a camp network) a mistyped address or a
bug answers a friendly page in the visitor's language, never Django's debug pages."""

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("language", "heading", "back"),
    [("en", "Not found", "Back to the home page"), ("hi", "नहीं मिला", "होम पेज पर वापस जाएँ")],
)
def test_a_mistyped_address_answers_the_not_found_page_in_the_visitors_language(
    client, settings, language, heading, back
):
    settings.DEBUG = False
    response = client.get("/camps/no-such-page/", HTTP_ACCEPT_LANGUAGE=language)
    page = response.content.decode()
    assert response.status_code == 404
    assert heading in page and back in page
    assert f'<html lang="{language}">' in page
    assert "URLconf" not in page


@pytest.mark.urls("tests.portal.urls_boom")
@pytest.mark.parametrize(
    ("language", "heading"),
    [("en", "Something went wrong"), ("hi", "कुछ गलत हो गया")],
)
def test_a_bug_answers_the_server_error_page_in_the_visitors_language(
    client, settings, language, heading
):
    settings.DEBUG = False
    client.raise_request_exception = False
    response = client.get("/boom/", HTTP_ACCEPT_LANGUAGE=language)
    page = response.content.decode()
    assert response.status_code == 500
    assert heading in page and f'<html lang="{language}">' in page
    assert "RuntimeError" not in page and "Traceback" not in page
    assert "/static/css/portal.css" in page  # styled like the portal, without any context
