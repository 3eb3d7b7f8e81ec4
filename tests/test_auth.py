import re
import secrets
import uuid

import pytest
from django.contrib.auth import SESSION_KEY
from django.core import mail
from django.urls import reverse

from accounts.models import User
from tests.factories import PASSWORD

INVITATION_LINE = "Need a login? Ask your practice to send you an invitation."


def sign_in(client, login: str, password: str):
    return client.post(reverse("account_login"), {"login": login, "password": password})


def test_login_page_offers_no_sign_up(client, db):
    response = client.get(reverse("account_login"))

    assert response.status_code == 200
    body = response.content.decode()
    assert reverse("account_signup") not in body
    assert "sign up" not in body.lower()
    assert INVITATION_LINE in body
    assert 'for="id_login"' in body
    assert 'for="id_password"' in body
    assert reverse("account_reset_password") in body


def test_login_with_email_in_other_case_reaches_the_portal(
    client, guardian, client_record
):
    response = sign_in(client, guardian.email.upper(), PASSWORD)

    assert response.status_code == 302
    assert response.url == reverse("home")
    assert int(client.session[SESSION_KEY]) == guardian.pk
    start = client.get(response.url)
    assert start.status_code == 302
    assert start.url == reverse("portal:home")
    portal = client.get(start.url)
    assert portal.url == reverse("portal:client_home", args=[client_record.public_id])


def test_wrong_password_shows_an_error_and_signs_nobody_in(client, guardian):
    response = sign_in(client, guardian.email, "not-the-password")

    assert response.status_code == 200
    assert SESSION_KEY not in client.session
    body = response.content.decode()
    assert 'role="alert"' in body
    assert "not correct" in body


def test_sign_up_is_closed(client, db):
    page = client.get(reverse("account_signup"))
    attempt = client.post(
        reverse("account_signup"),
        {
            "email": "newcomer@example.test",
            "password1": "a-long-new-password-1",
            "password2": "a-long-new-password-1",
        },
    )

    assert page.status_code == 200
    assert "Sign-up is closed" in page.content.decode()
    assert INVITATION_LINE in page.content.decode()
    assert attempt.status_code == 200
    assert not User.objects.filter(email="newcomer@example.test").exists()
    assert SESSION_KEY not in client.session


def test_sign_out_ends_the_session(client, guardian):
    client.force_login(guardian)

    confirm = client.get(reverse("account_logout"))
    response = client.post(reverse("account_logout"))

    assert confirm.status_code == 200
    assert "Do you want to sign out of the portal?" in confirm.content.decode()
    assert response.status_code == 302
    assert response.url == reverse("account_login")
    assert SESSION_KEY not in client.session


def test_password_reset_from_request_to_new_sign_in(client, guardian):
    new_password = "a-fresh-password-for-2026"

    request = client.post(
        reverse("account_reset_password"), {"email": guardian.email.upper()}
    )
    assert request.status_code == 302
    assert request.url == reverse("account_reset_password_done")
    done = client.get(request.url)
    assert done.status_code == 200
    assert "Check your e-mail" in done.content.decode()
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [guardian.email]
    link = re.search(r"https?://testserver(/\S+/)", mail.outbox[0].body).group(1)

    key_page = client.get(link, follow=True)
    assert key_page.status_code == 200
    assert "Choose a new password" in key_page.content.decode()
    form_url = key_page.redirect_chain[-1][0]
    saved = client.post(
        form_url, {"password1": new_password, "password2": new_password}
    )
    assert saved.status_code == 302
    assert saved.url == reverse("account_reset_password_from_key_done")
    finished = client.get(saved.url)
    assert "Your password is changed" in finished.content.decode()

    guardian.refresh_from_db()
    assert guardian.check_password(new_password)
    assert sign_in(client, guardian.email, new_password).status_code == 302
    assert int(client.session[SESSION_KEY]) == guardian.pk


def test_password_reset_link_works_only_once(client, guardian):
    client.post(reverse("account_reset_password"), {"email": guardian.email})
    link = re.search(r"https?://testserver(/\S+/)", mail.outbox[0].body).group(1)
    form_url = client.get(link, follow=True).redirect_chain[-1][0]
    client.post(
        form_url, {"password1": "first-new-pass-77", "password2": "first-new-pass-77"}
    )

    again = client.get(link, follow=True)

    assert again.status_code == 200
    assert "This link no longer works" in again.content.decode()
    guardian.refresh_from_db()
    assert guardian.check_password("first-new-pass-77")


@pytest.mark.parametrize(
    "name",
    [
        "account_login",
        "account_reset_password",
        "account_reset_password_done",
        "account_signup",
    ],
)
def test_sign_in_pages_use_the_site_layout(client, db, name):
    response = client.get(reverse(name))

    assert response.status_code == 200
    assert 'class="skip-link"' in response.content.decode()
    assert "Menu:" not in response.content.decode()
    assert "allauth/layouts/base.html" in [t.name for t in response.templates]
    assert "base.html" in [t.name for t in response.templates]


def test_too_many_reset_requests_get_the_sites_429_page(client, db):
    """allauth allows five reset requests a minute for one address, then says 429.

    A fresh address and client address keep the counters apart from other
    tests, even when the rate-limit cache outlives the test database.
    """
    address = f"someone-{uuid.uuid4().hex}@example.test"
    remote = f"198.51.100.{secrets.randbelow(254) + 1}"
    url = reverse("account_reset_password")

    allowed = [
        client.post(url, {"email": address}, REMOTE_ADDR=remote) for _ in range(5)
    ]
    refused = client.post(url, {"email": address}, REMOTE_ADDR=remote)

    assert [r.status_code for r in allowed] == [302] * 5
    assert refused.status_code == 429
    body = refused.content.decode()
    assert "429.html" in [t.name for t in refused.templates]
    assert 'class="skip-link"' in body
    assert "Too many attempts" in body
    assert "Please wait a few minutes, then try again." in body
    assert f'href="{reverse("account_login")}"' in body
    assert mail.outbox == []
