"""Template helpers for project and event pages: money in roubles, links to company pages, stalled marks."""

from decimal import Decimal

from flask import current_app, url_for
from flask_babel import format_decimal
from werkzeug.routing import BuildError

from registry.catalog.history import AuditNames
from registry.i18n import localized
from registry.labels import label
from registry.models.project import STAGES
from registry.projects import bp
from registry.translation import lazy_gettext as _l


@bp.app_template_filter("rub")
def format_roubles(value) -> str:
    """`1500000` → «1 500 000 ₽» (Russian grouping; kopecks only when there are any)."""
    if value is None:
        return "—"
    amount = Decimal(value)
    pattern = "#,##0" if amount == amount.to_integral_value() else "#,##0.00"
    return f"{format_decimal(amount, format=pattern)}\u00a0₽"


@bp.app_template_global("company_url")
def company_url(company) -> str | None:
    """The company's catalogue page, when the catalogue area provides one."""
    if company is None or "catalog.detail" not in current_app.view_functions:
        return None
    try:
        return url_for("catalog.detail", company_id=company.id)
    except BuildError:
        return None


@bp.app_template_global("region_pair")
def region_pair(project) -> tuple[str, str]:
    """Supplier regions and customer regions of a project (names joined), from its participants' companies."""

    def regions(role):
        found = {p.company.region.id: p.company.region for p in project.participants if p.role == role}
        return ", ".join(localized(region) for region in sorted(found.values(), key=lambda region: region.name_ru))

    return regions("supplier"), regions("customer")


@bp.app_template_global("project_stages")
def project_stages() -> tuple[str, ...]:
    return STAGES


@bp.app_template_global("next_stage")
def next_stage(stage: str) -> str:
    """Where a project usually goes from `stage` (what stage forms offer first)."""
    pipeline = ("proposal", "negotiation", "agreement", "implementation", "completed")
    return pipeline[pipeline.index(stage) + 1] if stage in pipeline[:-1] else "negotiation"


AUDIT_ACTIONS = {
    "project.create": _l("Project created"),
    "project.update": _l("Project edited"),
    "project.stage": _l("Project stage changed"),
    "project.task": _l("Task added"),
    "project.task_done": _l("Task done"),
    "event.create": _l("Event created"),
    "event.update": _l("Event edited"),
    "company.create": _l("Company added"),
    "company.update": _l("Company edited"),
    "company.verification": _l("Company verification changed"),
    "need.create": _l("Need posted"),
    "need.update": _l("Need edited"),
    "need.status": _l("Need status changed"),
    "offer.delete": _l("Offer deleted"),
    "user.create": _l("User created"),
    "user.register": _l("User registered"),
    "user.approve": _l("Company link approved"),
    "user.password": _l("Password changed"),
    "token.create": _l("API token created"),
    "token.revoke": _l("API token revoked"),
    "user.invite": _l("User invited"),
    "event.registration": _l("Event registration changed"),
    "export.companies": _l("Companies exported"),
    "export.needs": _l("Needs exported"),
    "export.projects": _l("Projects exported"),
    "import.companies": _l("Companies imported"),
    "import.needs": _l("Needs imported"),
    "import.projects": _l("Projects imported"),
    "company.rename": _l("Company renamed"),
    "company.publication": _l("Company publication decided"),
    "offer.create": _l("Offer added"),
    "offer.update": _l("Offer changed"),
    "event.matchmaking": _l("Meeting settings changed"),
    "event.register": _l("Firm registered for an event"),
    "event.unregister": _l("Firm's registration withdrawn"),
    "event.schedule": _l("Meeting schedule built"),
    "event.follow_up": _l("Meeting results asked"),
    "export.project_report": _l("Project report exported"),
    "introduction.create": _l("Interest expressed"),
    "introduction.answer": _l("Introduction answered"),
    "introduction.message": _l("Message on an introduction"),
    "introduction.project": _l("Introduction turned into a project"),
    "meeting.request": _l("Meeting requested"),
    "meeting.answer": _l("Meeting request answered"),
    "meeting.cancel": _l("Meeting request withdrawn"),
    "meeting.expire": _l("Meeting request expired"),
    "meeting.move": _l("Meeting moved"),
    "meeting.unschedule": _l("Meeting taken out of the schedule"),
    "meeting.outcome": _l("Meeting outcome recorded"),
    "meeting.follow_up": _l("Meeting follow-up recorded"),
    "meeting.project": _l("Meeting turned into a project"),
    "user.notifications": _l("Mail settings changed"),
    "user.update": _l("User changed"),
}

AUDIT_ENTITIES = {
    "project": _l("Project"),
    "event": _l("Event"),
    "company": _l("Company"),
    "need": _l("Need"),
    "user": _l("User"),
    "capabilityoffer": _l("Offer"),
    "apitoken": _l("API token"),
    "introduction": _l("Introduction"),
    "eventmeeting": _l("Meeting at an event"),
    "eventparticipant": _l("Event registration"),
    "meeting": _l("Meeting"),
}

# Where an entity's page lives: (endpoint, URL argument).
AUDIT_ENTITY_PAGES = {
    "project": ("projects.detail", "project_id"),
    "event": ("events.detail", "event_id"),
    "company": ("catalog.detail", "company_id"),
    "need": ("needs.detail", "need_id"),
}


@bp.app_template_global("audit_action")
def audit_action(action: str) -> str:
    return str(AUDIT_ACTIONS.get(action, action))


@bp.app_template_global("audit_entity")
def audit_entity(entry, names: AuditNames | None = None) -> str:
    """What an entry is about: its kind and its name (a record gone since shows its kind alone)."""
    kind = str(AUDIT_ENTITIES.get(entry.entity_type, entry.entity_type or "—"))
    name = names.entity(entry) if names is not None else None
    return f"{kind}: {name}" if name else kind


@bp.app_template_global("audit_entity_url")
def audit_entity_url(entry) -> str | None:
    endpoint, argument = AUDIT_ENTITY_PAGES.get(entry.entity_type, (None, None))
    if not endpoint or not entry.entity_id or endpoint not in current_app.view_functions:
        return None
    try:
        return url_for(endpoint, **{argument: entry.entity_id})
    except BuildError:
        return None


AUDIT_FIELDS = {
    "title": _l("Title"),
    "description": _l("Description"),
    "direction": _l("Direction"),
    "value_rub": _l("Value, roubles"),
    "stage": _l("Stage"),
    "note": _l("Note"),
    "next_step": _l("Next step"),
    "next_step_due": _l("Next step due"),
    "responsible": _l("Responsible official"),
    "source_event": _l("Source event"),
    "participants": _l("Participants"),
    "task": _l("Task"),
    "owner": _l("Owner"),
    "due_on": _l("Due date"),
    "companies": _l("Participating companies"),
    "kind": _l("Kind"),
    "held_on": _l("Date"),
    "date_note": _l("Note on the date"),
    "place": _l("Place"),
    "region": _l("Region"),
    "email": _l("E-mail"),
    "role": _l("Role"),
    "company": _l("Company"),
    "expires_at": _l("Valid until"),
    "active": _l("Access allowed"),
    "status": _l("Status"),
    "file": _l("File"),
    "rows": _l("Rows"),
    "company_id": _l("Company"),
    "supplier_id": _l("Supplier"),
    "need_id": _l("Need"),
    "project_id": _l("Project"),
    "capability": _l("Capability"),
    "publication": _l("Publication"),
    "name": _l("Name"),
    "inn": _l("INN"),
}


@bp.app_template_global("audit_field")
def audit_field(key: str) -> str:
    return str(AUDIT_FIELDS.get(key, key))


@bp.app_template_global("audit_names")
def audit_names(entries) -> AuditNames:
    """The names behind the ids and codes in these entries (a few queries, however many entries)."""
    return AuditNames.for_entries(entries)


@bp.app_template_global("audit_value")
def audit_value(key: str, value, names: AuditNames | None = None) -> str:
    """A recorded value as people read it: stage names translated, references named, lists joined."""
    if names is not None:
        value = names.value(key, value)
    if key in ("stage", "publication", "verification", "role") and isinstance(value, str):
        return label(key, value)
    if isinstance(value, bool):
        return str(_l("yes") if value else _l("no"))
    if isinstance(value, list):
        return ", ".join(" ".join(str(part) for part in item) if isinstance(item, list) else str(item) for item in value)
    return "—" if value in (None, "") else str(value)
