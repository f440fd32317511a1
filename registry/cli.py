"""Command-line interface: `flask --app registry <command>`."""

import json
import secrets
import signal
import subprocess
import sys

import click
from flask import Flask
from flask.cli import AppGroup, with_appcontext
from flask_babel import gettext as _
from flask_migrate import upgrade
from sqlalchemy import func, or_, select

from registry.extensions import db
from registry.models import Capability, Company, Event, Need, OkvedCode, Project, Region, User
from registry.services import ServiceError, seeding
from registry.services import users as user_service

users_cli = AppGroup("users", help="Manage user accounts.")
tokens_cli = AppGroup("tokens", help="Manage API tokens.")

ADMIN_EMAIL = "admin@registry.example"  # the quickstart's first administrator; change it in the users page
COUNTED = {
    "regions": Region,
    "okved_codes": OkvedCode,
    "capabilities": Capability,
    "companies": Company,
    "needs": Need,
    "projects": Project,
    "events": Event,
    "users": User,
}


def fail(message) -> None:
    click.echo(_("Error: %(message)s", message=message), err=True)
    sys.exit(1)


@click.command("seed")
@with_appcontext
def seed_command():
    """Load regions, OKVED2, the capability taxonomy and the founding data (idempotent)."""
    added = seeding.seed_all()
    db.session.commit()
    click.echo(_("Seeded (rows added): %(counts)s", counts=", ".join(f"{name} +{count}" for name, count in added.items())))


@click.command("reindex")
@with_appcontext
def reindex_command():
    """Rebuild every retrieval document (after loading rows in bulk around the services)."""
    from registry.services import matching, retrieval

    counts = retrieval.reindex_all(db.session, matching.analyzer())
    db.session.commit()
    click.echo(_("Reindexed: %(companies)s companies, %(needs)s open needs", **counts))


def find_company(reference: str):
    """A company by its id, INN or exact name (seeded firms have no INN: their name or id will do)."""
    reference = reference.strip()
    query = select(Company).where(or_(Company.inn == reference, Company.name == reference))
    if reference.isdigit() and len(reference) < 10:
        query = select(Company).where(Company.id == int(reference))
    found = db.session.scalars(query.limit(2)).all()
    return found[0] if len(found) == 1 else None


@users_cli.command("create")
@click.option("--email", required=True)
@click.option("--role", required=True, help="admin, official or company")
@click.option("--region", "region_iso", help="ISO 3166-2 code of an official's region, e.g. RU-ULY")
@click.option("--company-inn", help="INN of the company a representative acts for")
@click.option("--company", "company_ref", help="The company a representative acts for: its id, INN or exact name")
@click.option("--password-stdin", is_flag=True, required=True, help="Read the password from standard input")
def create_user_command(email, role, region_iso, company_inn, company_ref, password_stdin):
    """Create a user; the password is read from standard input."""
    password = sys.stdin.readline().rstrip("\r\n")
    company = None
    if company_ref:
        company = find_company(company_ref)
        if company is None:
            fail(_("No company with the id, INN or name %(company)s.", company=company_ref))
    try:
        user = user_service.create_user(email, password, role, region_iso=region_iso, company_inn=company_inn,
                                        company=company)
    except ServiceError as error:
        db.session.rollback()
        fail(error.message)
    db.session.commit()
    click.echo(_("Created user %(email)s (%(role)s)", email=user.email, role=user.role))


@tokens_cli.command("create")
@click.option("--email", required=True)
def create_token_command(email):
    """Create an API token for a user; the token is printed alone on the last line."""
    user = db.session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))
    if user is None:
        fail(_("No user with the e-mail %(email)s", email=email))
    token = user_service.create_token(user)
    db.session.commit()
    click.echo(_("API token for %(email)s (shown once, keep it safe):", email=user.email))
    click.echo(token)


@click.command("stats")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object")
@with_appcontext
def stats_command(as_json):
    """Count what the registry holds."""
    counts = {name: db.session.scalar(select(func.count()).select_from(model)) for name, model in COUNTED.items()}
    if as_json:
        click.echo(json.dumps(counts))
    else:
        for name, count in counts.items():
            click.echo(f"{name:>14}: {count}")


@click.command("quickstart")
@click.option("--host", default="127.0.0.1")
@click.option("--port", default=5000)
@click.option("--no-serve", is_flag=True, help="Prepare the database but do not start the server")
@with_appcontext
def quickstart_command(host, port, no_serve):
    """Upgrade the database, seed it, make sure an administrator exists, and serve the registry with its job worker."""
    from flask import current_app

    upgrade()
    seeding.seed_all()
    db.session.commit()
    if not db.session.scalar(select(User.id).where(User.role == "admin")):
        password = secrets.token_urlsafe(12)
        user_service.create_user(ADMIN_EMAIL, password, "admin")
        db.session.commit()
        click.echo("=" * 60)
        click.echo(_("Administrator created (the password is shown only this once):"))
        click.echo(_("  e-mail:   %(email)s", email=ADMIN_EMAIL))
        click.echo(_("  password: %(password)s", password=password))
        click.echo("=" * 60)
    if not no_serve:
        from werkzeug.serving import run_simple

        # The job worker runs beside the server as its own process, as in production, on the same settings.
        worker = subprocess.Popen([sys.executable, "-m", "flask", "--app", "registry", "jobs", "worker"])
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))  # stopped by a service manager: stop the worker too
        click.echo(_("Serving the registry at %(url)s (Ctrl+C stops it)", url=f"http://{host}:{port}"))
        try:
            # Flask refuses app.run() inside a CLI command; the same development server, started directly.
            run_simple(host, port, current_app._get_current_object(), threaded=True)
        finally:
            worker.terminate()  # SIGTERM: running jobs finish first
            worker.wait()


@click.command("demo-data")
@click.option("--companies", "count", type=click.IntRange(1, 10_000_000), required=True)
@click.option("--seed", default=1, help="Random seed: the same seed gives the same data")
@click.option("--needs-share", default=0.2, type=click.FloatRange(0, 1), help="Share of companies with an open need")
@click.option("--batch", default=5000, type=click.IntRange(100, 100_000), help="Companies per batch (and per COPY)")
@with_appcontext
def demo_data_command(count, seed, needs_share, batch):
    """Fill the database with N synthetic companies (marked «(демо)») for load and speed work."""
    import time

    from registry.matching import NEEDS, SUPPLIERS
    from registry.services import demo_data

    started = time.perf_counter()

    def progress(done):
        if done % 50_000 < batch or done == count:
            click.echo(_("  %(done)s companies, %(seconds)s s", done=done, seconds=round(time.perf_counter() - started)),
                       err=True)

    made = demo_data.generate(count, seed=seed, needs_share=needs_share, batch=batch, progress=progress)
    db.session.commit()
    click.echo(_("Added: %(counts)s", counts=", ".join(f"{name} {number}" for name, number in made.items())))
    for side, title in ((SUPPLIERS, _("Supplier documents")), (NEEDS, _("Need documents"))):
        documents, common = demo_data.term_shares(side=side)
        click.echo(_("%(title)s: %(count)s; most common terms: %(terms)s", title=title, count=documents,
                     terms=", ".join(f"{term} {share:.1%}" for term, share in common)))


def init_cli(app: Flask) -> None:
    for command in (seed_command, stats_command, quickstart_command, demo_data_command, reindex_command, users_cli,
                    tokens_cli):
        app.cli.add_command(command)
    from registry.transfer.cli import init_transfer_cli  # import, export, report
    init_transfer_cli(app)
    from registry.jobs.cli import jobs_cli
    app.cli.add_command(jobs_cli)
