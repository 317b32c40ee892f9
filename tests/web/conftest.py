"""Clients signed in as each role, and a few helpers for reading pages."""

import html as html_lib
import re

import pytest
from django.test import Client


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def officer_client(officer):
    return signed_in(officer)


@pytest.fixture
def officer2_client(officer2):
    return signed_in(officer2)


@pytest.fixture
def commissioner_client(commissioner):
    return signed_in(commissioner)


@pytest.fixture
def director_client(director):
    return signed_in(director)


@pytest.fixture
def admin_client_(admin_user):
    return signed_in(admin_user)


def text(response) -> str:
    """The page's text with tags removed and white space collapsed: what a person reads."""
    html = response.content.decode()
    html = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", html, flags=re.S)
    flat = re.sub(r"\s+", " ", html_lib.unescape(re.sub(r"<[^>]+>", " ", html))).strip()
    return re.sub(r" ([.,;:])", r"\1", flat)
