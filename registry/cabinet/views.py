"""The cabinet: a representative's own firm at a glance, or an official's queue of things to handle."""

from datetime import date

from flask import abort, current_app, render_template
from flask_login import current_user, login_required

from registry.auth.permissions import can_express_interest, is_staff
from registry.cabinet import bp, queries
from registry.catalog.forms import moderation_form
from registry.dashboard.queries import DEFAULT_STALLED_AFTER_DAYS
from registry.extensions import db
from registry.models import Company
from registry.services import matching


@bp.get("/")
@login_required
def index():
    if is_staff(current_user):
        stalled_after_days = current_app.config.get("STALLED_AFTER_DAYS", DEFAULT_STALLED_AFTER_DAYS)
        cabinet = queries.official_cabinet(current_user, stalled_after_days=stalled_after_days)
        return render_template("cabinet/official.html", stalled_after_days=stalled_after_days, today=date.today(),
                               cabinet=cabinet,
                               moderation_forms={c.id: moderation_form(c) for c in cabinet.companies_to_publish})
    if current_user.role != "company":
        abort(403)
    if current_user.company_id is None or not current_user.company_approved:
        # Until an official confirms the link, the firm's affairs are not this user's to see.
        company = db.session.get(Company, current_user.company_id) if current_user.company_id else None
        return render_template("cabinet/pending.html", company=company)
    company = queries.load_own_company(current_user.company_id)
    return render_template("cabinet/company.html", cabinet=queries.firm_cabinet(company, current_user),
                           explain=matching.explain, company=company,
                           may_introduce=lambda need: can_express_interest(current_user, need, company))
