"""Where files live: the filesystem under MEDIA_ROOT by default, an S3-compatible bucket when one is named."""

import json
import os
import subprocess
import sys

from django.conf import settings
from django.urls import Resolver404, resolve

SCRIPT = """
import json, django
from django.conf import settings
django.setup()
from django.core.files.storage import storages
storage = storages["default"]
print(json.dumps({"backend": settings.STORAGES["default"]["BACKEND"], "class": type(storage).__name__,
                  "bucket": getattr(storage, "bucket_name", None), "endpoint": getattr(storage, "endpoint_url", None),
                  "acl": getattr(storage, "default_acl", None)}))
"""


def storage_under(env: dict) -> dict:
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("RINGFENCE_S3", "AWS_"))}
    environment.update(env, DJANGO_SETTINGS_MODULE="config.settings")
    out = subprocess.run([sys.executable, "-c", SCRIPT], env=environment, cwd=settings.BASE_DIR, check=True,
                         capture_output=True, text=True, timeout=120)
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_files_live_on_the_filesystem_by_default():
    assert storage_under({})["class"] == "FileSystemStorage"


def test_an_s3_compatible_bucket_when_one_is_named():
    found = storage_under({"RINGFENCE_S3_BUCKET": "ringfence-documents",
                           "RINGFENCE_S3_ENDPOINT_URL": "https://s3.example.test",
                           "AWS_ACCESS_KEY_ID": "example", "AWS_SECRET_ACCESS_KEY": "example"})
    assert found == {"backend": "storages.backends.s3.S3Storage", "class": "S3Storage",
                     "bucket": "ringfence-documents", "endpoint": "https://s3.example.test", "acl": "private"}


def test_no_url_serves_the_media_folder():
    for path in ("/media/documents/2026/12/abc", "/var/media/documents/x", "/documents/2026/12/abc"):
        try:
            match = resolve(path)
        except Resolver404:
            continue
        assert match.view_name.startswith("documents:") and match.view_name != "documents:download", path
