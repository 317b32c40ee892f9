"""Documents tests: a temporary store, two organisations, a grant, and a provider user at the first organisation."""

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from core.roles import PROVIDER
from grants.models import ProviderAccount
from grants.organisations import organisation_create
from tests.conftest import make_user
from tests.grants.conftest import draft_grant, org, service  # noqa: F401 (fixtures)


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Files go to a folder of the test's own, never to var/media."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {**settings.STORAGES,
                         "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"}}
    return settings.MEDIA_ROOT


@pytest.fixture
def other_org(officer):
    return organisation_create(name="Tame Valley Refuge", charity_number="1100456", address="3 Mill Lane, Walsall",
                               postcode="WS1 1AA", by=officer)


def provider_for(organisation, username, by):
    user = make_user(username, PROVIDER)
    ProviderAccount.objects.create(user=user, organisation=organisation, created_by=by)
    return user


@pytest.fixture
def provider(request, officer):
    """Priya, at Brindley Survivors Trust."""
    return provider_for(request.getfixturevalue("org"), "priya", officer)


@pytest.fixture
def other_provider(other_org, officer):
    """Tom, at Tame Valley Refuge."""
    return provider_for(other_org, "tom", officer)


PDF_BYTES = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PNG_BYTES = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 17
JPEG_BYTES = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 20
GIF_BYTES = b"GIF89a\x01\x00\x01\x00\x00\x00\x00;"
WEBP_BYTES = b"RIFF\x1a\x00\x00\x00WEBPVP8 " + b"\x00" * 14
OLE_BYTES = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 56
CSV_BYTES = "Quarter,Referrals\r\nQ1,42\r\nQ2,57 – up\r\n".encode()


def office_zip(part: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr(part, "<x/>")
    return buffer.getvalue()


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")
