import pytest
from django.core import mail
from django.urls import reverse


@pytest.mark.django_db
def test_a_reset_request_for_an_unknown_address_sends_nothing(client):
    response = client.post(
        reverse("account_reset_password"), {"email": "stranger@example.test"}
    )

    assert response.status_code == 302
    assert mail.outbox == []


@pytest.mark.django_db
def test_reset_e_mails_carry_the_portal_prefix(client, guardian):
    response = client.post(reverse("account_reset_password"), {"email": guardian.email})

    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert mail.outbox[0].subject.startswith("Client portal: ")


@pytest.mark.django_db
def test_reset_e_mails_speak_for_the_portal_not_the_server_address(client, guardian):
    client.post(reverse("account_reset_password"), {"email": guardian.email})

    body = mail.outbox[0].body
    assert "client portal" in body
    assert "testserver" not in body.replace("http://testserver/", "")
