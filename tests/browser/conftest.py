"""Browser tests: the real application, served by a separate process, driven in Debian's Chromium.

The server runs ``manage.py runserver`` against its own fresh SQLite file in a temporary folder, migrated and
loaded with the demo (``seed_demo``), so the tests see exactly what ``make run`` shows. (pytest-django's
``live_server`` is not used: its flush between tests would delete journal rows, which the ledger's append-only
triggers refuse.) Nothing here touches the test database.

Skipped, with the reason shown, when /usr/bin/chromium is not installed (``apt-get install chromium``).
"""

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "browser-demo-password-2026"
SKIP_REASON = f"Browser tests need Chromium at {CHROMIUM} (apt-get install chromium); it is not installed."

requires_chromium = pytest.mark.skipif(not os.path.exists(CHROMIUM), reason=SKIP_REASON)


def pytest_collection_modifyitems(config, items):
    """Run the browser tests last. Playwright's sync API keeps an event loop running in the main thread until the
    end of the session, and Django refuses database access from a thread with a running loop, so any database
    test scheduled after them would fail."""
    here = Path(__file__).parent
    browser = [item for item in items if here in Path(item.fspath).parents]
    if browser:
        items[:] = [item for item in items if item not in browser] + browser


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_for(url: str, process: subprocess.Popen, log: Path, seconds: int = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"The application stopped while starting:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.3)
    raise RuntimeError(f"The application did not answer at {url} within {seconds}s:\n{log.read_text()[-3000:]}")


@dataclass(frozen=True)
class LiveApp:
    """The running application: its address, its folder (database, server log, mail) and the environment it runs
    in, so a test can run a management command against the same database (``manage``)."""

    url: str
    folder: Path
    env: dict

    @property
    def log(self) -> Path:
        return self.folder / "server.log"

    def manage(self, *args: str, env: dict | None = None, timeout: int = 300) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, str(ROOT / "manage.py"), *args], cwd=ROOT, env=env or self.env,
                              check=True, capture_output=True, text=True, timeout=timeout)


@pytest.fixture(scope="session")
def live_url(live_app) -> str:
    return live_app.url


@pytest.fixture(scope="session")
def live_app():
    """Start the application on a free port against a fresh demo database; stop it and remove the files after."""
    if not os.path.exists(CHROMIUM):
        pytest.skip(SKIP_REASON)
    folder = Path(tempfile.mkdtemp(prefix="ringfence-browser-"))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST", "DJANGO_SETTINGS"))}
    env.update(
        {
            "DATABASE_URL": f"sqlite:///{folder / 'db.sqlite3'}",
            "DJANGO_DEBUG": "1",
            "DEMO_PASSWORD": PASSWORD,
            "RINGFENCE_MEDIA_ROOT": str(folder / "media"),
            # every email the application sends (invitations, reminders) is written to a file a journey can read
            "RINGFENCE_EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "RINGFENCE_EMAIL_FILE_PATH": str(folder / "mail"),
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "PYTHONUNBUFFERED": "1",
        }
    )
    env.pop("DJANGO_ALLOWED_HOSTS", None)
    manage = [sys.executable, str(ROOT / "manage.py")]
    # Today's reminders are left to the journey that runs send_reminders (tests/browser/test_provider_portal.py).
    for command in (["migrate", "--noinput", "-v", "0"], ["seed_demo", "--no-reminders"]):
        subprocess.run(manage + command, cwd=ROOT, env=env, check=True, capture_output=True, timeout=600)
    port = _free_port()
    log = folder / "server.log"
    with open(log, "wb") as out:
        server = subprocess.Popen(
            manage + ["runserver", "--noreload", f"127.0.0.1:{port}"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_for(f"{url}/login/", server, log)
        yield LiveApp(url=url, folder=folder, env=env)
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {
        **browser_context_args,
        "viewport": {"width": 1280, "height": 900},
        "accept_downloads": True,
        "locale": "en-GB",
        "timezone_id": "Europe/London",
    }


@pytest.fixture(scope="session")
def screenshots_dir(tmp_path_factory) -> Path:
    """Where home-page screenshots go: docs/screenshots with ``make screenshots``
    (RINGFENCE_SCREENSHOTS_DIR), otherwise a temporary folder, so a test run leaves the working tree alone."""
    given = os.environ.get("RINGFENCE_SCREENSHOTS_DIR")
    folder = Path(given) if given else tmp_path_factory.mktemp("screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def log_in(page, live_url: str, username: str) -> None:
    page.goto(f"{live_url}/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{live_url}/")


def log_out(page) -> None:
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url("**/login/")
