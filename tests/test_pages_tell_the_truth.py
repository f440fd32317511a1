"""Every page of the seeded registry speaks words, not the registry's internal codes.

The walk: the founding article's registry (`seeding.seed_all`: reference data and seeds/cooperation.toml)
plus what people add to it (a project started from an introduction, a capability added through the
profile form, a profile saved with an empty website, a firm that registered itself). It is read as an
anonymous visitor, a company representative, an official and an administrator: from the main pages it
follows every link within the site (GET, each path once whatever its query string, up to PAGES_PER_ROLE
pages per role) and reads the text a person sees (tags, attributes, scripts and styles left out).

The rule the text must keep:
- no `source` prefix as stored: «article:», «illustrative:», «demo:» (pages say «Из статьи: …»);
- no «#<number>» reference (e.g. «introduction #1»): a record is named, and linked, by its name;
- «№ <number>» only inside the page's own <h1> or <title> (a record with no other name titled by its
  number on its own page); anywhere else a record is named by its name;
- no capability code (`metalworking.welding`) and no audit action code (`company.update`): their names
  in the reader's language.
"""

import re
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest
from sqlalchemy import select

from registry.catalog.history import ACTION_LABELS
from registry.models import Capability, Company, Need, User
from registry.projects.helpers import AUDIT_ACTIONS
from registry.services import companies, introductions, seeding
from registry.services.accounts import register_representative
from tests.factories import DEFAULT_PASSWORD, make_user, valid_inn

PAGES_PER_ROLE = 160
START = ("/", "/catalog/", "/needs/", "/projects/", "/events/", "/dashboard/", "/cabinet/", "/introductions/",
         "/transfer/", "/jobs/", "/auth/notifications")
SKIPPED = ("/static/", "/auth/logout", "/api/", "/outbox/")  # not pages of the site, or not for reading
# As stored: "article: …". Words that say the same («From the article: …» in English) are no prefix.
SOURCE_PREFIX = re.compile(r"(?<!the )\b(article|illustrative|demo)\s*:", re.IGNORECASE)
HASH_REFERENCE = re.compile(r"#\s?\d+")
NUMBER_SIGN = re.compile(r"№\s?\d+")


class Page(HTMLParser):
    """The visible text of a page, its <h1>/<title> text apart, and the links in it."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.text: list[str] = []
        self.titles: list[str] = []
        self.links: list[str] = []
        self._skip = 0
        self._title = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._skip += 1
        elif tag in ("h1", "title"):
            self._title += 1
        elif tag == "a":
            href = dict(attrs).get("href")
            if href:
                self.links.append(href)

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self._skip = max(self._skip - 1, 0)
        elif tag in ("h1", "title"):
            self._title = max(self._title - 1, 0)

    def handle_data(self, data):
        if not self._skip:
            (self.titles if self._title else self.text).append(data)


def codes_pattern(db) -> re.Pattern:
    codes = set(db.session.scalars(select(Capability.code).where(Capability.code.contains("."))))
    codes |= set(AUDIT_ACTIONS) | set(ACTION_LABELS) | {"company.publication"}
    return re.compile(r"(?<![\w.])(" + "|".join(sorted(map(re.escape, codes), key=len, reverse=True)) + r")(?![\w.])")


def problems(text: str, titles: str, codes: re.Pattern) -> list[str]:
    found = [match.group(0) for pattern in (SOURCE_PREFIX, HASH_REFERENCE, codes) for match in pattern.finditer(text)]
    found += [match.group(0) for match in NUMBER_SIGN.finditer(text)]
    found += [match.group(0) for match in SOURCE_PREFIX.finditer(titles)]
    return found


def walk(client, codes: re.Pattern) -> tuple[int, dict[str, list[str]]]:
    seen_paths, queue, read, bad = set(), list(START), 0, {}
    while queue and read < PAGES_PER_ROLE:
        url = queue.pop(0)
        parts = urlsplit(url)
        if parts.netloc or parts.path in seen_paths or parts.path.startswith(SKIPPED):
            continue
        seen_paths.add(parts.path)
        response = client.get(url)
        if response.status_code != 200 or not response.content_type.startswith("text/html"):
            continue
        read += 1
        page = Page()
        page.feed(response.get_data(as_text=True))
        found = problems(" ".join(page.text), " ".join(page.titles), codes)
        if found:
            bad[url] = sorted(set(found))
        queue += [urljoin(url, link).split("#")[0] for link in page.links
                  if not link.startswith(("mailto:", "tel:", "http:", "https:", "#", "javascript:"))]
    return read, bad


@pytest.fixture
def registry_in_use(db):
    """The seeded registry, plus what people do with it."""
    seeding.seed_all()
    official = make_user("official", email="official@example.org", region=seeding_region("RU-ULY"))
    admin = make_user("admin", email="admin@example.org")
    need = db.session.scalar(select(Need).where(Need.status == "open").order_by(Need.id))
    supplier = db.session.scalar(select(Company).where(Company.id != need.company_id).order_by(Company.id))
    introduction, _ = introductions.express_interest(need, supplier, actor=official)
    introductions.start_project(introduction, actor=official)
    welding = db.session.scalar(select(Capability).where(Capability.code == "metalworking.welding"))
    companies.save_offer(supplier, actor=admin, capability=welding, text="Сварка рам")
    companies.update_company(supplier, {"website": "", "city": supplier.city or ""}, actor=admin)
    representative = make_user("company", email="rep@example.org", company=supplier)
    register_representative(email="newcomer@example.org", password=DEFAULT_PASSWORD, inn=valid_inn("73"),
                            company_name="ООО «Новичок»", link_for=lambda endpoint: endpoint)
    db.session.commit()
    return {"anonymous": None, "representative": representative, "official": official, "admin": admin,
            "newcomer": db.session.scalar(select(User).where(User.email == "newcomer@example.org"))}


def seeding_region(iso: str):
    from tests.factories import region

    return region(iso)


@pytest.mark.parametrize("role", ["anonymous", "representative", "newcomer", "official", "admin"])
def test_no_page_shows_internal_codes(client, db, login, registry_in_use, role):
    user = registry_in_use[role]
    if user is not None:
        login(user)
    read, bad = walk(client, codes_pattern(db))
    assert read >= 10, f"the walk read only {read} pages"
    assert not bad, f"pages that show internal codes: {bad}"
