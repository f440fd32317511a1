"""Alerts, digests and reminders: what the job worker mails to representatives and officials.

- A need posted or changed (and open) is ranked by the matching engine; each firm scoring above
  ALERT_MIN_SCORE is alerted once per need (`NeedAlert`), its representatives mailed at once or in
  their daily digest, as each chose.
- Officials hear of new firms and needs of their region at once or daily, get a weekly digest of their
  stalled projects, and one reminder per project and due date when a next step is past due.

Every mail is written in its reader's language and goes through `mail.send` (the outbox). Functions
here write and flush; the job that calls them commits once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from flask import current_app
from flask_babel import force_locale, format_date, ngettext
from flask_babel import gettext as _
from sqlalchemy import exists, or_, select
from sqlalchemy.orm import joinedload

from registry.dashboard.queries import stalled_condition
from registry.extensions import db
from registry.i18n import local_zone, localized
from registry.labels import STAGE_LABELS
from registry.links import external_url
from registry.matching import Reason
from registry.models import Company, Need, NeedAlert, Project, ProjectParticipant, ProjectReminder, User
from registry.models.alert import ALERT_MODES
from registry.models.base import utcnow
from registry.models.project import CLOSED_STAGES
from registry.services import ServiceError, audit, jobs, mail
from registry.services import matching as matching_service
from registry.translation import lazy_gettext as _l

# A need that matches more firms than this is too general for a mail to help any of them.
MOST_FIRMS_ALERTED = 25
# A digest lists this many items of a kind and counts the rest: the pages hold the full lists.
LISTED_IN_A_MAIL = 30


# --- submitting: called by the services that create and change companies and needs ----------------


def need_posted_or_changed(need: Need) -> None:
    """An open need is ranked again in the worker: firms that match it now and were never alerted are."""
    if need.status == "open":
        jobs.submit("need_alerts", {"need_id": need.id})


def new_in_region(*, company_ids=(), need_ids=()) -> None:
    """Officials of the region hear of new firms and needs: one job, and one mail each, for a whole import."""
    if company_ids or need_ids:
        jobs.submit_collected("region_alerts", company_ids=list(company_ids), need_ids=list(need_ids))


# --- preferences ------------------------------------------------------------------------------------


def set_preferences(user: User, *, need_alerts: str | None = None, region_alerts: str | None = None,
                    weekly_digest: bool | None = None, actor=None) -> dict:
    changed = {}
    for name, mode in (("need_alerts", need_alerts), ("region_alerts", region_alerts)):
        if mode is None or mode == getattr(user, name):
            continue
        if mode not in ALERT_MODES:
            raise ServiceError(_l("Choose one of the offered ways."), name)
        setattr(user, name, mode)
        changed[name] = mode
        if mode == "daily":
            user.last_digest_at = utcnow()  # the first digest starts now: what came before was mailed or declined
    if weekly_digest is not None and weekly_digest != user.weekly_digest:
        user.weekly_digest = changed["weekly_digest"] = bool(weekly_digest)
    if changed:
        db.session.flush()
        audit.record(actor or user, "user.notifications", user, **changed)
    return changed


# --- alerts on a need --------------------------------------------------------------------------------


def alert_matching_firms(need: Need) -> int:
    """Records an alert for every firm newly scoring above the threshold and mails those who want it now.
    A need of a firm the public may not see yet (awaiting moderation) alerts nobody: its turn comes when
    the firm is published."""
    if need.status != "open" or not need.company.is_public:
        return 0
    threshold = current_app.config["ALERT_MIN_SCORE"]
    alerted = set(db.session.scalars(select(NeedAlert.company_id).where(NeedAlert.need_id == need.id)))
    new_alerts = [
        NeedAlert(need=need, company=company, score=match.score,
                  reasons=[{"kind": r.kind, "weight": r.weight, "data": r.data} for r in match.reasons])
        for company, match in matching_service.suppliers_for(need, limit=MOST_FIRMS_ALERTED, min_score=threshold)
        if match.score > threshold and company.id != need.company_id and company.id not in alerted
    ]
    db.session.add_all(new_alerts)
    db.session.flush()
    by_company = {alert.company_id: alert for alert in new_alerts}
    for user in representatives(by_company, "immediate"):
        alert = by_company[user.company_id]
        with reader_locale(user):
            subject = _("A new need for %(company)s: %(need)s", company=alert.company.name, need=need.title)
            body = [_("A need was posted that %(company)s could serve.", company=alert.company.name), "",
                    *need_lines(alert), *footer()]
            mail.send(user.email, subject, "\n".join(body))
    return len(new_alerts)


def representatives(company_ids, mode: str) -> list[User]:
    """Active representatives an official approved, of these firms, who chose this way of hearing."""
    if not company_ids:
        return []
    return list(db.session.scalars(
        select(User).where(User.role == "company", User.active.is_(True), User.company_approved.is_(True),
                           User.company_id.in_(list(company_ids)), User.need_alerts == mode)
        .options(joinedload(User.company)).order_by(User.id)))


def need_lines(alert: NeedAlert) -> list[str]:
    """One need in a mail: what, whose, why it matches (the reasons the need's page shows), and the link."""
    need = alert.need
    customer = need.company
    reasons = [matching_service.explain(Reason(reason["kind"], reason["weight"], reason.get("data") or {}))
               for reason in alert.reasons]
    return [f"«{need.title}»",
            _("Customer: %(customer)s, %(region)s", customer=customer.name, region=localized(customer.region)),
            _("Why it matches:"), *(f"  – {reason}" for reason in reasons),
            external_url("needs.detail", need_id=need.id), ""]


# --- officials: new firms and needs of their region ---------------------------------------------------


@dataclass
class RegionNews:
    companies: list[Company]
    needs: list[Need]

    def __bool__(self) -> bool:
        return bool(self.companies or self.needs)


def alert_region_officials(company_ids, need_ids) -> int:
    """Mails each official in immediate mode of a region the new firms and needs of that region."""
    companies = db.session.scalars(select(Company).where(Company.id.in_(list(company_ids)), Company.active.is_(True))
                                   .options(joinedload(Company.region)).order_by(Company.id)).all()
    needs = db.session.scalars(select(Need).where(Need.id.in_(list(need_ids)), Need.status == "open")
                               .options(joinedload(Need.company).joinedload(Company.region)).order_by(Need.id)).all()
    region_ids = {company.region_id for company in companies} | {need.company.region_id for need in needs}
    sent = 0
    for official in officials(region_ids, region_alerts="immediate"):
        news = RegionNews([c for c in companies if c.region_id == official.region_id],
                          [n for n in needs if n.company.region_id == official.region_id])
        sent += send_region_news(official, news)
    return sent


def officials(region_ids=None, **preferences) -> list[User]:
    query = select(User).where(User.role == "official", User.active.is_(True)).options(joinedload(User.region))
    if region_ids is not None:
        query = query.where(User.region_id.in_(list(region_ids)))
    for name, value in preferences.items():
        query = query.where(getattr(User, name) == value)
    return list(db.session.scalars(query.order_by(User.id)))


def region_news_since(official: User, since: datetime, until: datetime) -> RegionNews:
    if official.region_id is None:
        return RegionNews([], [])
    companies = db.session.scalars(
        select(Company).where(Company.region_id == official.region_id, Company.active.is_(True),
                              Company.created_at > since, Company.created_at <= until)
        .options(joinedload(Company.region)).order_by(Company.id)).all()
    needs = db.session.scalars(
        select(Need).join(Need.company).where(Company.region_id == official.region_id, Need.status == "open",
                                              Need.created_at > since, Need.created_at <= until)
        .options(joinedload(Need.company).joinedload(Company.region)).order_by(Need.id)).all()
    return RegionNews(list(companies), list(needs))


def send_region_news(official: User, news: RegionNews) -> int:
    if not news:
        return 0
    with reader_locale(official):
        counts = []
        if news.companies:
            counts.append(ngettext("%(num)d new company", "%(num)d new companies", len(news.companies)))
        if news.needs:
            counts.append(ngettext("%(num)d new need", "%(num)d new needs", len(news.needs)))
        subject = f"{localized(official.region)}: {', '.join(counts)}"
        body = []
        if news.companies:
            body += [_("New companies:"), *listed(
                [f"  – {c.name}{', ' + c.city if c.city else ''}: {external_url('catalog.detail', company_id=c.id)}"
                 for c in news.companies]), ""]
        if news.needs:
            body += [_("New needs:"), *listed(
                [f"  – «{n.title}», {n.company.name}: {external_url('needs.detail', need_id=n.id)}"
                 for n in news.needs]), ""]
        mail.send(official.email, subject, "\n".join(body + footer()))
    return 1


def listed(lines: list[str]) -> list[str]:
    return lines[:LISTED_IN_A_MAIL] + not_listed(len(lines))


def not_listed(total: int) -> list[str]:
    rest = total - LISTED_IN_A_MAIL
    return ["  " + ngettext("… and %(num)d more", "… and %(num)d more", rest)] if rest > 0 else []


# --- the daily digest -----------------------------------------------------------------------------------


def send_daily_digests(now: datetime | None = None) -> int:
    """Representatives get their firm's alerts, officials their region's news, of the time since their last
    digest; nothing is sent when nothing is new."""
    now = now or utcnow()
    sent = 0
    for user in representatives_in_daily_mode():
        alerts = db.session.scalars(
            select(NeedAlert).join(NeedAlert.need)
            .where(NeedAlert.company_id == user.company_id, NeedAlert.created_at > digest_start(user),
                   NeedAlert.created_at <= now, Need.status == "open")
            .options(joinedload(NeedAlert.need).joinedload(Need.company).joinedload(Company.region))
            .order_by(NeedAlert.score.desc(), NeedAlert.id)).all()
        if alerts:
            with reader_locale(user):
                subject = ngettext("%(num)d new need for %(company)s", "%(num)d new needs for %(company)s",
                                   len(alerts), company=user.company.name)
                body = [line for alert in alerts[:LISTED_IN_A_MAIL] for line in need_lines(alert)]
                body += not_listed(len(alerts))
                mail.send(user.email, subject, "\n".join(body + footer()))
            sent += 1
        user.last_digest_at = now
    for official in officials(region_alerts="daily"):
        sent += send_region_news(official, region_news_since(official, digest_start(official), now))
        official.last_digest_at = now
    db.session.flush()
    return sent


def representatives_in_daily_mode() -> list[User]:
    return list(db.session.scalars(
        select(User).where(User.role == "company", User.active.is_(True), User.company_approved.is_(True),
                           User.company_id.is_not(None), User.need_alerts == "daily")
        .options(joinedload(User.company)).order_by(User.id)))


def digest_start(user: User) -> datetime:
    return user.last_digest_at or user.created_at


# --- officials: the weekly digest and reminders -----------------------------------------------------------


def send_weekly_digests(now: datetime | None = None) -> int:
    """Each official's stalled projects (their responsibility, or with a firm of their region)."""
    now = now or utcnow()
    stalled = stalled_condition(now=now, stalled_after_days=current_app.config["STALLED_AFTER_DAYS"])
    sent = 0
    for official in officials(weekly_digest=True):
        in_region = exists().where(ProjectParticipant.project_id == Project.id,
                                   ProjectParticipant.company_id == Company.id,
                                   Company.region_id == official.region_id)
        projects = db.session.scalars(
            select(Project).where(stalled, or_(Project.responsible_id == official.id, in_region))
            .order_by(Project.next_step_due.is_(None), Project.next_step_due, Project.updated_at, Project.id)).all()
        if not projects:
            continue
        with reader_locale(official):
            today = now.astimezone(local_zone()).date()
            subject = ngettext("%(num)d stalled project this week", "%(num)d stalled projects this week", len(projects))
            body = [ngettext("Projects with a next step past due or no change for %(num)d day:",
                             "Projects with a next step past due or no change for %(num)d days:",
                             current_app.config["STALLED_AFTER_DAYS"]), ""]
            for project in projects[:LISTED_IN_A_MAIL]:
                body += [f"«{project.title}» ({STAGE_LABELS.get(project.stage, project.stage)})",
                         f"  {why_stalled(project, today)}", f"  {external_url('projects.detail', project_id=project.id)}", ""]
            body += not_listed(len(projects))
            mail.send(official.email, subject, "\n".join(body + footer()))
        sent += 1
    return sent


def why_stalled(project: Project, today: date) -> str:
    if project.next_step_due and project.next_step_due < today:
        return _("Next step «%(step)s» was due %(date)s", step=project.next_step or "—",
                 date=format_date(project.next_step_due, "long"))
    return _("No change since %(date)s", date=format_date(project.updated_at, "long"))


def send_reminders(today: date | None = None) -> int:
    """One reminder per project and due date to its responsible official once the next step is past due."""
    today = today or utcnow().astimezone(local_zone()).date()
    reminded = exists().where(ProjectReminder.project_id == Project.id,
                              ProjectReminder.due_date == Project.next_step_due)
    projects = db.session.scalars(
        select(Project).join(Project.responsible)
        .where(Project.stage.not_in(CLOSED_STAGES), Project.next_step_due < today, User.active.is_(True), ~reminded)
        .options(joinedload(Project.responsible)).order_by(Project.next_step_due, Project.id)).all()
    for project in projects:
        official = project.responsible
        with reader_locale(official):
            mail.send(official.email, _("Next step past due: %(project)s", project=project.title), "\n".join([
                _("The next step of «%(project)s» was due %(date)s:", project=project.title,
                  date=format_date(project.next_step_due, "long")),
                f"  {project.next_step or '—'}", "",
                _("Set the next step and its new date on the project's page:"),
                external_url("projects.detail", project_id=project.id), "", *footer()]))
        db.session.add(ProjectReminder(project_id=project.id, due_date=project.next_step_due, user_id=official.id))
    db.session.flush()
    return len(projects)


# --- the reader's language and the footer ------------------------------------------------------------------


def reader_locale(user: User):
    return force_locale(user.locale or current_app.config["BABEL_DEFAULT_LOCALE"])


def footer() -> list[str]:
    return ["—", _("Choose which mails you get: %(link)s", link=external_url("auth.notifications"))]
