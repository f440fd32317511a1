"""Who may do what: the one authorisation policy.

The services that write call it for the acting user, so the web pages, the API, spreadsheet imports (per row)
and the CLI cannot differ; views ask the same questions only to choose between a form and a 403.
The CLI acts as `SYSTEM`, which may do everything; no actor at all (None) may do nothing.
"""

from registry.services import Forbidden
from registry.translation import lazy_gettext as _l


class SystemActor:
    """The command line and other operator tools: every right, and no user behind the audit entries."""

    id = None
    role = "system"
    region_id = None
    company_id = None
    is_authenticated = True

    def __repr__(self) -> str:
        return "<SYSTEM>"


SYSTEM = SystemActor()


def authorize(allowed: bool, message=None) -> None:
    """Raises Forbidden (403 in the API, a refused row in an import) unless `allowed`."""
    if not allowed:
        raise Forbidden(message or _l("You may not do this"))


def person(actor):
    """The user to name as the author of a row (stage changes, introductions): nobody for the system."""
    return None if actor is SYSTEM else actor


def _signed_in(user) -> bool:
    return bool(user is not None and user.is_authenticated)


def is_system(user) -> bool:
    return user is SYSTEM


def is_admin(user) -> bool:
    return is_system(user) or (_signed_in(user) and user.role == "admin")


def is_staff(user) -> bool:
    """Administrators and officials: they see every company and project."""
    return is_admin(user) or (_signed_in(user) and user.role == "official")


def holds_region(user, region_id) -> bool:
    """Administrators, and officials of this region (or of every region)."""
    if is_admin(user):
        return True
    return _signed_in(user) and user.role == "official" and user.region_id in (None, region_id)


def can_create_company(user, region) -> bool:
    """Staff register companies, officials only in their own region (representatives come through registration)."""
    return holds_region(user, getattr(region, "id", None))


def can_edit_company(user, company) -> bool:
    """Admins edit any company; officials those of their own region; a representative only their own
    company, once an official has approved the link."""
    return holds_region(user, company.region_id) or represents(user, company)


def can_move_company(user, company, region) -> bool:
    """A change of region: an official may not hand a firm over to another region's officials; the firm's
    own representative may say that it moved."""
    return can_edit_company(user, company) and (represents(user, company) or holds_region(user, region.id))


def can_verify_company(user, company) -> bool:
    return holds_region(user, company.region_id)


def can_moderate_company(user, company) -> bool:
    """Publishing a self-registered firm, or refusing it: the officials of its region and administrators."""
    return holds_region(user, company.region_id)


def can_see_company(user, company) -> bool:
    """A firm the public may see (`Company.is_public`) is anyone's to see; one awaiting moderation or refused
    only its own representative's (approved or not: they registered it) and the staff's."""
    if company.is_public or is_staff(user):
        return True
    return _signed_in(user) and user.role == "company" and user.company_id == company.id


def can_manage_need(user, need) -> bool:
    return can_edit_company(user, need.company)


def can_post_need(user, company) -> bool:
    """Staff post needs for any company (e.g. heard at a round table); a representative for their own."""
    return is_staff(user) or can_edit_company(user, company)


def can_manage_projects(user) -> bool:
    """Projects (pipeline, stages) are the officials' and administrators' work, across regions."""
    return is_staff(user)


def can_manage_events(user) -> bool:
    """Events (round tables, visits, fairs) are recorded by officials and administrators."""
    return is_staff(user)


def can_express_interest(user, need, supplier) -> bool:
    """Officials, administrators, and the representatives of either side of a match."""
    return is_staff(user) or can_edit_company(user, need.company) or can_edit_company(user, supplier)


def is_region_staff(user, *companies) -> bool:
    """Administrators, and officials of one of these companies' regions (or of every region)."""
    return any(holds_region(user, company.region_id) for company in companies) or is_admin(user)


def represents(user, company) -> bool:
    """An approved representative of this very company."""
    return bool(_signed_in(user) and user.role == "company" and user.company_approved
                and user.company_id == company.id)


def can_view_introduction(user, introduction) -> bool:
    """The representatives of both firms, the officials of either firm's region, and whoever asked."""
    firms = (introduction.need.company, introduction.supplier)
    return (is_region_staff(user, *firms) or any(represents(user, firm) for firm in firms)
            or (is_staff(user) and introduction.requested_by_id == user.id))


def can_answer_introduction(user, introduction) -> bool:
    """The side that did not ask (either side when an official asked), or the officials who may see it."""
    firms = (introduction.need.company, introduction.supplier)
    if is_region_staff(user, *firms):
        return True
    return any(represents(user, firm) and firm.id != introduction.asking_company_id for firm in firms)


def can_run_event(user, event) -> bool:
    """Matchmaking (registration settings, the schedule, meetings on anyone's behalf): administrators and
    officials of the event's region; any official when the event names no region."""
    return holds_region(user, event.region_id) if event.region_id is not None else is_staff(user)


def can_act_for_participant(user, event, company) -> bool:
    """Register, request, answer and record outcomes for a firm at an event: its own representative, or
    whoever runs the event."""
    return can_run_event(user, event) or represents(user, company)


def can_manage_token(user, token) -> bool:
    """An API token is its owner's own: only they (and the command line) revoke it."""
    return is_system(user) or (_signed_in(user) and user.id == token.user_id)
