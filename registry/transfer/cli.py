"""`flask --app registry import|export|report`: the spreadsheet doors of the registry on the command line."""

import os
import sys

import click
from flask.cli import with_appcontext

from registry.extensions import db
from registry.policy import SYSTEM
from registry.services import ServiceError, exports, imports, reports


def fail(message) -> None:
    click.echo(f"{message}", err=True)
    sys.exit(1)


@click.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--kind", type=click.Choice(imports.KINDS), help="What the file holds; guessed from its headers if omitted")
@click.option("--dry-run", is_flag=True, help="Check and report, write nothing")
@click.option("--update-existing", is_flag=True, help="Rows naming registered records update them")
@with_appcontext
def import_command(path, kind, dry_run, update_existing):
    """Import companies, needs or projects from an XLSX or CSV file: all rows or none."""
    with open(path, "rb") as handle:
        content = handle.read()
    try:
        report = imports.import_file(content, os.path.basename(path), kind=kind, update_existing=update_existing,
                                     dry_run=dry_run, actor=SYSTEM)  # the operator of the machine
    except ServiceError as error:
        db.session.rollback()
        fail(error.message)
    except BaseException:
        db.session.rollback()  # an interrupted import keeps nothing
        raise
    for line in report.lines():
        click.echo(line)
    if not report.ok or dry_run:
        db.session.rollback()
        if not report.ok:
            sys.exit(1)
        return
    db.session.commit()


@click.command("export")
@click.argument("kind", type=click.Choice(imports.KINDS))
@click.option("--format", "fmt", type=click.Choice(imports.FORMATS), help="xlsx or csv; by default from the file name")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, writable=True))
@click.option("--region", help="Companies of a region (ISO code, e.g. RU-ULY)")
@click.option("--q", help="Companies matching this text or INN")
@click.option("--capability", help="Companies offering this capability node (code) or one below it")
@click.option("--okved", help="Companies with this OKVED2 code or one below it")
@click.option("--verified", is_flag=True, help="Verified companies only")
@with_appcontext
def export_command(kind, fmt, output, region, q, capability, okved, verified):
    """Export companies, needs or projects to XLSX or CSV (formulas neutralised)."""
    fmt = fmt or ("csv" if output.lower().endswith(".csv") else "xlsx")
    args = {"region": region, "q": q, "capability": capability, "okved": okved, "verified": "1" if verified else ""}
    try:
        with open(output, "wb") as stream:
            count = exports.export(stream, kind, fmt, args=args, filename=os.path.basename(output))
    except BaseException:
        db.session.rollback()
        if os.path.exists(output):
            os.remove(output)
        raise
    db.session.commit()
    click.echo(f"{count} rows → {output}")


@click.command("report")
@click.argument("what", type=click.Choice(["projects"]))
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, writable=True))
@click.option("--from", "start", type=click.DateTime(["%Y-%m-%d", "%d.%m.%Y"]), help="Start of the period (stage changes)")
@click.option("--to", "end", type=click.DateTime(["%Y-%m-%d", "%d.%m.%Y"]), help="End of the period, inclusive")
@with_appcontext
def report_command(what, output, start, end):
    """The governor's project report (XLSX): summary, project list, stage changes in the period."""
    start, end = (value.date() if value else None for value in (start, end))
    if start and end and start > end:
        fail("--from is after --to")
    with open(output, "wb") as stream:
        period = reports.build_report(stream, start=start, end=end)
    db.session.commit()
    click.echo(f"Report for {period.start:%d.%m.%Y}–{period.end:%d.%m.%Y} → {output}")


def init_transfer_cli(app) -> None:
    for command in (import_command, export_command, report_command):
        app.cli.add_command(command)
