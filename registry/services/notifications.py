"""Telling a firm about something, and saying truthfully who was told.

A firm is reached through its approved, active representatives; failing them, through its contacts'
e-mail addresses; failing both, the responsible officials of its region are told that the firm has no
contact. Pages repeat `describe()` so that nobody reads «notified» when no mail was written.
"""

from dataclasses import dataclass, field

from flask import current_app
from flask_babel import force_locale, ngettext
from flask_babel import gettext as _
from sqlalchemy import select

from registry.extensions import db
from registry.i18n import localized
from registry.models import Company, Contact, User
from registry.services import mail

REPRESENTATIVES, CONTACTS, OFFICIALS, NOBODY = "representatives", "contacts", "officials", "nobody"


@dataclass(frozen=True)
class Recipient:
    email: str
    locale: str | None = None  # None: the registry's default language


@dataclass
class Recipients:
    """Who hears about `company`: `kind` says through whom (one of the four constants above)."""

    company: Company
    kind: str
    people: list[Recipient] = field(default_factory=list)

    @property
    def reached(self) -> bool:
        return bool(self.people)


def recipients_for(company: Company) -> Recipients:
    """The people to tell about `company` (at most three queries)."""
    users = db.session.scalars(
        select(User).where(User.company_id == company.id, User.role == "company", User.company_approved.is_(True),
                           User.active.is_(True)).order_by(User.id)).all()
    if users:
        return Recipients(company, REPRESENTATIVES, _unique(Recipient(u.email, u.locale) for u in users))
    emails = db.session.scalars(select(Contact.email).where(Contact.company_id == company.id).order_by(Contact.id))
    people = _unique(Recipient(email.strip()) for email in emails if email and email.strip())
    if people:
        return Recipients(company, CONTACTS, people)
    officials = region_officials(company.region_id)
    if officials:
        return Recipients(company, OFFICIALS, officials)
    return Recipients(company, NOBODY)


def region_officials(region_id: int) -> list[Recipient]:
    """The active officials responsible for a region (one query)."""
    officials = db.session.scalars(
        select(User).where(User.role == "official", User.region_id == region_id, User.active.is_(True))
        .order_by(User.id)).all()
    return _unique(Recipient(u.email, u.locale) for u in officials)


def _unique(recipients) -> list[Recipient]:
    seen, found = set(), []
    for recipient in recipients:
        if recipient.email.lower() not in seen:
            seen.add(recipient.email.lower())
            found.append(recipient)
    return found


def notify_company(company: Company, subject, body, *, link: str | None = None,
                   recipients: Recipients | None = None) -> Recipients:
    """Writes one e-mail per recipient of `company` (to the outbox) and returns who they were.

    `subject` and `body` are lazy strings (`lazy_gettext` with their values; `body` may be a list of
    paragraphs): each is rendered in the recipient's own language. Officials told in the firm's place
    read first why the mail came to them.
    """
    found = recipients or recipients_for(company)

    def in_their_place() -> str:
        return _("%(company)s has neither a user nor an e-mail address in the registry, so this message comes to "
                 "you as the responsible official of %(region)s. Please pass it on.",
                 company=company.name, region=localized(company.region))

    write_mails(found.people, subject, body, link=link, preface=in_their_place if found.kind == OFFICIALS else None)
    return found


def notify_region_officials(region_id: int, subject, body, *, link: str | None = None, leave_out=None) -> list[Recipient]:
    """Mails the officials of a region (but not `leave_out`, a user who did what the mail is about)."""
    skip = (getattr(leave_out, "email", None) or "").lower()
    people = [person for person in region_officials(region_id) if person.email.lower() != skip]
    write_mails(people, subject, body, link=link)
    return people


def write_mails(people: list[Recipient], subject, body, *, link: str | None = None, preface=None) -> None:
    """One mail per person, each in their own language (`preface`, if given, is called in it)."""
    default = current_app.config["BABEL_DEFAULT_LOCALE"]
    for person in people:
        with force_locale(person.locale or default):
            parts = [str(part) for part in (body if isinstance(body, list | tuple) else [body])]
            if preface is not None:
                parts.insert(0, preface())
            if link:
                parts.append(link)
            mail.send(person.email, str(subject), "\n\n".join(parts))


def describe(found: Recipients) -> str:
    """One sentence, in the reader's language, on who was told about `found.company`."""
    count = len(found.people)
    company = found.company.name
    addresses = ngettext("%(num)d address", "%(num)d addresses", count)
    if found.kind == REPRESENTATIVES:
        return ngettext("Notified: the representative of %(company)s (%(addresses)s).",
                        "Notified: representatives of %(company)s (%(addresses)s).",
                        count, company=company, addresses=addresses)
    if found.kind == CONTACTS:
        return _("Notified: the contacts of %(company)s (%(addresses)s).", company=company, addresses=addresses)
    region = localized(found.company.region)
    if found.kind == OFFICIALS:
        return ngettext("%(company)s has neither a user nor an e-mail address; the responsible official of "
                        "%(region)s was notified instead (%(addresses)s).",
                        "%(company)s has neither a user nor an e-mail address; the responsible officials of "
                        "%(region)s were notified instead (%(addresses)s).",
                        count, company=company, region=region, addresses=addresses)
    return _("%(company)s has neither a user nor an e-mail address, and %(region)s has no responsible official "
             "in the registry: nobody was notified.", company=company, region=region)


def describe_all(notified: list[Recipients]) -> str:
    return " ".join(describe(found) for found in notified) if notified else _("Nobody was notified.")
