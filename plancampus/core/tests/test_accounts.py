import re

import pytest
from django.core import mail
from django.urls import reverse

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"


def test_login_and_logout(client, coordinator):
    response = client.post(reverse("login"), {"username": "coordinator", "password": PASSWORD})
    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 200
    client.post(reverse("logout"))
    assert client.get(reverse("home")).status_code == 302


def test_failed_logins_are_throttled(client, coordinator):
    for _ in range(5):
        client.post(reverse("login"), {"username": "coordinator", "password": "wrong"})
    response = client.post(reverse("login"), {"username": "coordinator", "password": PASSWORD})
    assert response.status_code == 429
    assert "locked" in response.content.decode().lower()


def test_password_reset_sends_a_working_link(client, coordinator):
    coordinator.email = "coordinator@example.org"
    coordinator.save()
    client.post(reverse("password_reset"), {"email": "coordinator@example.org"})
    assert len(mail.outbox) == 1
    link = re.search(r"https?://[^/]+(/accounts/reset/\S+)", mail.outbox[0].body).group(1)
    form = client.get(link, follow=True)
    assert form.status_code == 200
    response = client.post(
        form.redirect_chain[-1][0],
        {"new_password1": "a new long passphrase 42", "new_password2": "a new long passphrase 42"},
    )
    assert response.status_code == 302
    login = client.post(
        reverse("login"), {"username": "coordinator", "password": "a new long passphrase 42"}
    )
    assert login.status_code == 302


def test_password_change(client_for, coordinator):
    client = client_for(coordinator)
    response = client.post(
        reverse("password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "another long passphrase 7",
            "new_password2": "another long passphrase 7",
        },
    )
    assert response.status_code == 302


def test_language_choice_is_remembered_on_the_account(client, coordinator):
    client.force_login(coordinator)
    client.post(reverse("switch-language"), {"language": "km", "next": "/"})
    coordinator.refresh_from_db()
    assert coordinator.language == "km"
    client.logout()
    client.cookies.clear()
    response = client.post(reverse("login"), {"username": "coordinator", "password": PASSWORD})
    assert response.cookies["plancampus_language"].value == "km"
    assert 'lang="km"' in client.get(reverse("home")).content.decode()


def test_unknown_language_is_ignored(client_for, coordinator):
    client = client_for(coordinator)
    client.post(reverse("switch-language"), {"language": "xx", "next": "/"})
    coordinator.refresh_from_db()
    assert coordinator.language == ""
