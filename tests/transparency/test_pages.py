"""The public transparency page and its files (no login, read-only), the management page, and an anonymous crawl
of everything public: nothing that must not be published is ever served."""

import html
import re
from urllib.parse import urljoin, urlsplit

import pytest
from django.test import Client

from tests.rules.conftest import page_text
from transparency.models import Publication
from transparency.publications import publication_publish, publication_withdraw

LINK = re.compile(r"<a\s[^>]*href=\"([^\"]*)\"")
SHA256 = re.compile(rb"[0-9a-f]{64}")


@pytest.fixture
def published(world, users):
    """July 2025's spending, the register, the log and 2025/26's 360Giving package published; June 2025's spending
    published and then withdrawn."""
    director = users["director"]
    records = {
        "spending": publication_publish(kind="spending-month", month="2025-07", by=director),
        "contracts": publication_publish(kind="contracts", by=director),
        "decisions": publication_publish(kind="decisions", by=director),
        "360giving": publication_publish(kind="360giving", year="2025/26", by=director),
    }
    june = publication_publish(kind="spending-month", month="2025-06", by=director)
    publication_withdraw(publication=june, reason="Published by mistake", by=director)
    return records


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def links(response) -> list[str]:
    return [html.unescape(href) for href in LINK.findall(response.content.decode())]


def crawl(client: Client, start: str = "/transparency/") -> tuple[dict[str, object], set[str]]:
    """Every page and file reachable from ``start`` by following links on this site: url -> response, and the
    links that lead off the site (not followed)."""
    responses, external, queue = {}, set(), [start]
    while queue:
        url = queue.pop(0)
        if url in responses:
            continue
        response = client.get(url)
        responses[url] = response
        if response["Content-Type"].startswith("text/html"):
            for href in links(response):
                parts = urlsplit(href)
                if parts.scheme or parts.netloc:
                    external.add(href)
                elif parts.path:
                    queue.append(urljoin(url, parts.path))
    return responses, external


def test_the_public_page_lists_each_published_file_with_its_sha256(world, published, db):
    response = Client().get("/transparency/")
    assert response.status_code == 200
    text = page_text(response)
    for record in published.values():
        assert record.sha256 in text and f"{record.size} bytes" in text
    assert "July 2025" in text and "June 2025" not in text  # June was withdrawn
    assert "2025/26" in text
    body = response.content.decode()
    for caption in ("Spending over £500, one file per month, newest first", "Contracts register", "Decision log"):
        assert f"<caption>{caption}</caption>" in body
    assert re.findall(r"<h(\d)", body) == ["1", "2", "2", "2", "2"]  # headings in order, one h1


def test_files_are_served_from_the_stored_bytes(world, published, db):
    for url, record, filename in [
        ("/transparency/spending/2025-07.csv", published["spending"], "spending-over-500-2025-07.csv"),
        ("/transparency/contracts.csv", published["contracts"], published["contracts"].filename),
        ("/transparency/decisions.csv", published["decisions"], published["decisions"].filename),
        ("/transparency/360giving/2025-26.json", published["360giving"], "360giving-grants-2025-26.json"),
    ]:
        response = Client().get(url)
        assert response.status_code == 200, url
        assert response.content == bytes(record.content)
        assert response["Content-Type"] == record.content_type
        assert response["Content-Disposition"] == f'attachment; filename="{filename}"'


def test_unpublished_withdrawn_and_impossible_addresses_are_404_and_say_nothing(world, published, db):
    bodies = set()
    for url in ["/transparency/spending/2025-06.csv",  # withdrawn
                "/transparency/spending/2025-08.csv",  # never published (open)
                "/transparency/spending/2025-13.csv",  # no such month
                "/transparency/360giving/2024-25.json", "/transparency/360giving/2025-27.json"]:
        response = Client().get(url)
        assert response.status_code == 404, url
        bodies.add(response.content)
    assert len(bodies) == 1  # the same page whatever the reason
    (body,) = bodies
    assert b"2025" not in body and b"Log out" not in body


def test_public_pages_are_read_only(world, published, db, unchanged_database):
    director = signed_in(world.users["director"])
    with unchanged_database():
        for url in ["/transparency/", "/transparency/spending/2025-07.csv", "/transparency/decisions/"]:
            assert Client().post(url, {}).status_code == 405
            assert director.post(url, {}).status_code == 405


def test_nothing_published_yet(world, db):
    response = Client().get("/transparency/")
    assert response.status_code == 200
    assert "No month's spending has been published yet." in page_text(response)
    assert Client().get("/transparency/decisions/").status_code == 404


def test_anonymous_crawl_finds_only_what_may_be_published(world, published, db):
    """Start at /transparency/, follow every link on the site and download every file: only 200 and 404, and no
    do-not-publish grant's organisation, title or address, no individual's name, no bank detail, no unpublished
    month anywhere."""
    responses, external = crawl(Client())
    probes = ["/transparency/spending/2025-06.csv", "/transparency/spending/2025-08.csv",
              "/transparency/360giving/2024-25.json"]
    for url in probes:
        responses[url] = Client().get(url)
    assert {url: r.status_code for url, r in responses.items() if r.status_code not in (200, 404)} == {}
    assert {url for url, r in responses.items() if r.status_code == 200} == {
        "/transparency/", "/transparency/spending/2025-07.csv", "/transparency/contracts.csv",
        "/transparency/decisions.csv", "/transparency/decisions/", "/transparency/360giving/2025-26.json"}
    assert external == {"https://www.threesixtygiving.org/data/360giving-data-standard/"}
    refuge, person = world["refuge"], world["person"]
    forbidden = {refuge.name, "Foundry Lane", refuge.address, refuge.postcode, world["refuge_grant"].title,
                 person.name, "Whitmore", person.address, person.postcode, "Refuge support", "spending/2025-06",
                 "spending/2025-08", "2025-06.csv", "2025-08.csv"}
    for sort_code, account in world["bank_values"]:
        forbidden |= {sort_code, sort_code.replace("-", ""), account}
    found = []
    for url, response in responses.items():
        body = SHA256.sub(b"", response.content)  # a digest is hex; it must not make a digit string match
        text = html.unescape(body.decode("utf-8"))
        found += [(url, word) for word in sorted(forbidden) if word in text]
    assert found == []


def test_a_signed_in_person_sees_the_same_public_pages(world, published, db):
    """No signed-in navigation, account links or management links on the public pages, whoever looks."""
    anonymous, _ = crawl(Client())
    for user in world.users.values():
        theirs, _ = crawl(signed_in(user))
        assert theirs.keys() == anonymous.keys()
        for url in ("/transparency/", "/transparency/decisions/"):
            body = theirs[url].content.decode()
            assert body == anonymous[url].content.decode()
            assert "Log out" not in body and "main-nav" not in body and "/transparency/manage" not in body


def test_the_decision_log_page_shows_the_published_log_with_anchors(world, published, db):
    response = Client().get("/transparency/decisions/")
    body = response.content.decode()
    assert 'id="decision-042-2025"' in body and 'id="decision-044-2025"' in body
    assert "ISVA services in Birmingham" in body and "Helpline contract awarded" in body
    assert "Safety: the service runs a refuge whose location must stay confidential." in body


# --- management ---------------------------------------------------------------------------------------------------


def test_management_page_for_officers_and_directors_with_buttons_for_directors_only(world, published, db):
    officer, commissioner, director = (world.users[k] for k in ("officer", "commissioner", "director"))
    assert Client().get("/transparency/manage/").status_code == 302
    assert signed_in(commissioner).get("/transparency/manage/").status_code == 403
    as_officer = signed_in(officer).get("/transparency/manage/")
    as_director = signed_in(director).get("/transparency/manage/")
    assert as_officer.status_code == as_director.status_code == 200
    withdraw = f"/transparency/manage/{published['spending'].pk}/withdraw/"
    assert "/transparency/manage/publish/" not in as_officer.content.decode()
    assert withdraw not in as_officer.content.decode()
    assert "/transparency/manage/publish/" in as_director.content.decode() and withdraw in as_director.content.decode()
    assert "Published by mistake" in page_text(as_officer)  # the history shows the withdrawn June file
    june = Publication.objects.get(key="spending-month:2025-06")
    assert signed_in(officer).get(f"/transparency/manage/{june.pk}/file/").content == bytes(june.content)
    for url in ("/transparency/manage/publish/", withdraw):
        assert signed_in(officer).get(url).status_code == 403


def test_the_director_publishes_and_withdraws_from_the_pages(world, db, unchanged_database):
    client = signed_in(world.users["director"])
    with unchanged_database():
        refused = client.post("/transparency/manage/publish/", {"kind": "spending-month", "month": "2025-08",
                                                                 "confirm": "on"})
        assert refused.status_code == 400
        assert "August 2025 (P5 of 2025/26) is still open" in page_text(refused)
        unticked = client.post("/transparency/manage/publish/", {"kind": "contracts"})
        assert "Tick the box to confirm" in page_text(unticked)
    done = client.post("/transparency/manage/publish/", {"kind": "spending-month", "month": "2025-07",
                                                         "year": str(world["year"].pk), "confirm": "on"})
    assert done.status_code == 302
    publication = Publication.objects.get()
    assert publication.key == "spending-month:2025-07"  # the year given was not this kind's and was ignored
    assert Client().get("/transparency/spending/2025-07.csv").status_code == 200
    response = client.post(f"/transparency/manage/{publication.pk}/withdraw/", {"reason": "Corrected file to follow"})
    assert response.status_code == 302
    assert Client().get("/transparency/spending/2025-07.csv").status_code == 404
