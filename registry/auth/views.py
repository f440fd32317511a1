from datetime import timedelta

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import COOKIE_NAME, current_user, login_required, login_user, logout_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from registry.auth import audit_log, bp
from registry.auth.forms import (
    AuditFilterForm,
    InviteForm,
    LoginForm,
    NotificationsForm,
    PasswordChangeForm,
    RegistrationForm,
    ResetForm,
    ResetRequestForm,
    TokenForm,
    UserForm,
)
from registry.auth.permissions import can_manage_token, can_verify_company, require, roles_required
from registry.extensions import db, limiter
from registry.limits import account_and_address_key, setting
from registry.links import external_url
from registry.models import ApiToken, Region, User
from registry.models.base import utcnow
from registry.services import ServiceError, accounts, alerts
from registry.services import users as user_service
from registry.url_safety import safe_next


def form_errors(form, error: ServiceError) -> None:
    """Shows a service's refusal beside the fields it names (or above the form)."""
    for field, messages in error.errors.items():
        target = getattr(form, field, None)
        if target is not None:
            target.errors = list(target.errors) + [str(m) for m in messages]
    if not error.errors:
        flash(str(error.message), "danger")


def landing_page(user) -> str:
    """Representatives start in their firm's cabinet; everyone else on the home page."""
    if user.role == "company" and "cabinet.index" in current_app.view_functions:
        return url_for("cabinet.index")
    return url_for("main.index")


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(setting("LOGIN_RATE_LIMIT"), methods=["POST"])
@limiter.limit(setting("LOGIN_ACCOUNT_RATE_LIMIT"), methods=["POST"], key_func=account_and_address_key)
def login():
    form = LoginForm()
    if form.validate_on_submit():
        user = accounts.authenticate(form.email.data, form.password.data)
        if user is not None:
            login_user(user, remember=form.remember.data)
            flash(_("You are logged in."), "success")
            return redirect(safe_next(request.args.get("next")) or landing_page(user))
        form.password.errors = [_("Wrong e-mail or password.")]
    status = 400 if request.method == "POST" else 200
    return render_template("auth/login.html", form=form), status


@bp.post("/logout")
def logout():
    if current_user.is_authenticated:
        accounts.log_out_everywhere(current_user)
        db.session.commit()
    logout_user()
    flash(_("You are logged out."), "info")
    return redirect(url_for("main.index"))


@bp.route("/register", methods=["GET", "POST"])
@limiter.limit(setting("REGISTER_RATE_LIMIT"), methods=["POST"])
def register():
    form = RegistrationForm()
    if form.validate_on_submit():
        try:
            accounts.register_representative(
                email=form.email.data, password=form.password.data, inn=form.inn.data.strip(),
                company_name=form.company_name.data or "", region=form.region.data or "", link_for=external_url)
        except ServiceError as error:
            db.session.rollback()
            form_errors(form, error)
        else:
            db.session.commit()
            # The same answer whether the address had an account or not: the mail tells its owner which.
            flash(_("We sent a letter to %(email)s: it says how to log in. An official will confirm that you "
                    "represent the company.", email=form.email.data.strip()), "success")
            return redirect(url_for("auth.login"))
    status = 400 if request.method == "POST" else 200
    return render_template("auth/register.html", form=form), status


@bp.route("/password", methods=["GET", "POST"])
@login_required
def change_password():
    form = PasswordChangeForm()
    if form.validate_on_submit():
        try:
            accounts.change_password(current_user, form.current_password.data, form.password.data)
        except ServiceError as error:
            db.session.rollback()
            form_errors(form, error)
        else:
            db.session.commit()
            # The change ended every session, this one too: carry on here under the new session token.
            login_user(current_user._get_current_object(),
                       remember=current_app.config.get("REMEMBER_COOKIE_NAME", COOKIE_NAME) in request.cookies)
            flash(_("Your password is changed."), "success")
            return redirect(url_for("main.index"))
    status = 400 if request.method == "POST" else 200
    return render_template("auth/password.html", form=form), status


@bp.route("/notifications", methods=["GET", "POST"])
@login_required
def notifications():
    user = current_user._get_current_object()
    form = NotificationsForm(obj=user).for_role(user.role)
    if form.validate_on_submit():
        try:
            alerts.set_preferences(user, **form.preferences(), actor=user)
        except ServiceError as error:
            db.session.rollback()
            form_errors(form, error)
        else:
            db.session.commit()
            flash(_("Your notification settings are saved."), "success")
            return redirect(url_for("auth.notifications"))
    status = 400 if request.method == "POST" else 200
    return render_template("auth/notifications.html", form=form), status


@bp.route("/reset", methods=["GET", "POST"])
@limiter.limit(setting("RESET_RATE_LIMIT"), methods=["POST"])
@limiter.limit(setting("RESET_ACCOUNT_RATE_LIMIT"), methods=["POST"], key_func=account_and_address_key)
def request_reset():
    form = ResetRequestForm()
    if form.validate_on_submit():
        accounts.request_password_reset(
            form.email.data, lambda token: external_url("auth.reset", token=token))
        db.session.commit()
        flash(_("If this address has an account, a link to set a new password is on its way."), "info")
        return redirect(url_for("auth.login"))
    return render_template("auth/reset_request.html", form=form)


@bp.route("/reset/<token>", methods=["GET", "POST"])
def reset(token: str):
    user = accounts.user_for_reset_token(token)
    if user is None:
        flash(_("This link is invalid or has expired. Ask for a new one."), "danger")
        return redirect(url_for("auth.request_reset"))
    form = ResetForm()
    if form.validate_on_submit():
        accounts.set_password(user, form.password.data)
        db.session.commit()
        flash(_("Your new password is set. Please log in."), "success")
        return redirect(url_for("auth.login"))
    return render_template("auth/reset.html", form=form)


@bp.get("/representatives")
@roles_required("official", "admin")
def representatives():
    """Company representatives whose link to a company awaits approval (in the official's region)."""
    query = (select(User).where(User.role == "company", User.company_approved.is_(False))
             .options(selectinload(User.company)).order_by(User.created_at))
    pending = [u for u in db.session.scalars(query)
               if current_user.role == "admin" or current_user.region_id in (None, u.company.region_id)]
    return render_template("auth/representatives.html", pending=pending)


@bp.post("/representatives/<int:user_id>/approve")
@roles_required("official", "admin")
def approve(user_id: int):
    user = db.get_or_404(User, user_id)
    require(user.company is not None and can_verify_company(current_user, user.company))
    accounts.approve_representative(user, actor=current_user)
    db.session.commit()
    flash(_("The representative is approved."), "success")
    return redirect(url_for("auth.representatives"))


def _invite_form() -> InviteForm:
    return InviteForm().fill_choices(db.session.scalars(select(Region).order_by(Region.name_ru)))


def _users_page(form: InviteForm, status: int = 200):
    everyone = db.session.scalars(
        select(User).options(selectinload(User.company), selectinload(User.region)).order_by(User.email)
    ).all()
    return render_template("auth/users.html", users=everyone, invite_form=form), status


@bp.get("/users")
@roles_required("admin")
def users():
    return _users_page(_invite_form())


@bp.post("/users/invite")
@roles_required("admin")
def invite():
    form = _invite_form()
    if form.validate_on_submit():
        try:
            user = user_service.invite_user(
                form.email.data, form.role.data, region_iso=form.region.data or None,
                company_inn=form.company_inn.data or None, locale=form.locale.data, actor=current_user,
                link_for=lambda token: external_url("auth.accept_invitation", token=token))
        except ServiceError as error:
            db.session.rollback()
            form_errors(form, error)
        else:
            db.session.commit()
            # Say what happened to the mail, not more: it is in the outbox; only a worker with a mail server
            # delivers it.
            if current_app.config.get("MAIL_SERVER"):
                sent = _("The job worker delivers it through the mail server.")
            else:
                sent = _("No mail server is configured, so it is not delivered: give the invitee the link from "
                         "the «Mail» page yourself.")
            flash(_("%(email)s is invited: the invitation with a link to set a password is written to the "
                    "outbox.", email=user.email) + " " + sent, "success")
            return redirect(url_for("auth.users"))
    return _users_page(form, 400)


@bp.route("/welcome/<token>", methods=["GET", "POST"])
def accept_invitation(token: str):
    """An invited user sets their password with the link from the invitation, and is logged in."""
    user = accounts.user_for_reset_token(token, "invitation")
    if user is None:
        flash(_("This invitation link is invalid, used or has expired. Ask the administrator for a new one, "
                "or set a password with «Forgot your password?»."), "danger")
        return redirect(url_for("auth.login"))
    form = ResetForm()
    if form.validate_on_submit():
        try:
            accounts.set_password(user, form.password.data)
        except ServiceError as error:
            db.session.rollback()
            form_errors(form, error)
        else:
            db.session.commit()
            login_user(user)
            flash(_("Your password is set. Welcome to the registry."), "success")
            return redirect(landing_page(user))
    status = 400 if request.method == "POST" else 200
    return render_template("auth/welcome.html", form=form, user=user), status


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@roles_required("admin")
def edit_user(user_id: int):
    user = db.get_or_404(User, user_id)
    regions = db.session.scalars(select(Region).order_by(Region.name_ru)).all()
    form = UserForm(obj=user if request.method == "GET" else None,
                    data={"region": user.region_id} if request.method == "GET" else None).fill_choices(regions)
    if form.validate_on_submit():
        try:
            accounts.update_user(user, role=form.role.data, region=db.session.get(Region, form.region.data)
                                 if form.region.data else None, active=form.active.data, actor=current_user)
        except ServiceError as error:
            db.session.rollback()
            form_errors(form, error)
        else:
            db.session.commit()
            flash(_("The user is saved."), "success")
            return redirect(url_for("auth.users"))
    status = 400 if request.method == "POST" else 200
    return render_template("auth/user.html", form=form, user=user), status


def _tokens_page(form: TokenForm, *, secret: str | None = None, status: int = 200):
    return render_template("auth/tokens.html", form=form, tokens=user_service.tokens_of(current_user),
                           secret=secret, now=utcnow()), status


@bp.get("/tokens")
@login_required
def tokens():
    return _tokens_page(TokenForm())


@bp.post("/tokens")
@login_required
def create_token():
    form = TokenForm()
    if form.validate_on_submit():
        expires_at = None
        if form.expires_on.data:  # the token works through the whole chosen day, in the registry's time zone
            expires_at = audit_log.day_start(form.expires_on.data + timedelta(days=1))
        try:
            secret = user_service.create_token(current_user, name=form.name.data, expires_at=expires_at,
                                               actor=current_user)
        except ServiceError as error:
            db.session.rollback()
            form_errors(form, error)
        else:
            db.session.commit()
            # The secret is shown on this answer only (never put in the session or a redirect): it is not kept.
            return _tokens_page(TokenForm(formdata=None), secret=secret)
    return _tokens_page(form, status=400)


@bp.post("/tokens/<int:token_id>/revoke")
@login_required
def revoke_token(token_id: int):
    token = db.get_or_404(ApiToken, token_id)
    require(can_manage_token(current_user, token))
    name = token.name
    user_service.revoke_token(token, actor=current_user)
    db.session.commit()
    flash(_("The token «%(name)s» is revoked: the API no longer accepts it.", name=name), "success")
    return redirect(url_for("auth.tokens"))


@bp.get("/audit")
@roles_required("official", "admin")
def audit():
    """Who did what: officials see their region's records and people, administrators everything."""
    from registry.projects.helpers import AUDIT_ENTITIES

    form = AuditFilterForm(request.args).fill_choices(AUDIT_ENTITIES)
    form.validate()
    filters = audit_log.AuditFilters(
        person=form.person.data or "",
        entity_type=form.entity_type.data if form.entity_type.data in AUDIT_ENTITIES else "",
        since=None if form.since.errors else form.since.data,
        until=None if form.until.errors else form.until.data)
    page = max(request.args.get("page", 1, type=int) or 1, 1)
    pagination = db.paginate(audit_log.visible_entries(current_user, filters), page=page,
                             per_page=current_app.config["PER_PAGE"], error_out=False)
    return render_template("auth/audit.html", form=form, pagination=pagination)
