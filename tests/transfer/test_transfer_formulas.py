"""No spreadsheet the registry writes holds a formula made of someone's input (exports, templates, the report).

A firm may name itself `=HYPERLINK(…)`: every cell a spreadsheet program would run goes through the same
neutralising function (`registry.services.cells.neutralise`), whichever file it lands in."""

import io
from datetime import date, timedelta

import pytest
from openpyxl import load_workbook

from registry.models import StageChange
from registry.services import exports, imports, reports
from registry.services.cells import FORMULA_STARTS
from tests.factories import make_company, make_need, make_project, make_user
from tests.transfer.sheets import read_csv

HOSTILE = ['=HYPERLINK("http://evil.example","Нажмите")', "+7-1+cmd|' /C calc'!A0", "-2+3", "@SUM(1+1)",
           "\t=1+1", "\r=1+1"]


@pytest.fixture
def hostile_world(db):
    official = make_user("official", email="=cmd@example.org")
    companies = [make_company(name=name, city=name, description=name, website=None) for name in HOSTILE]
    for company, name in zip(companies, HOSTILE, strict=True):
        make_need(company, title=name, text=name, volume=name)
    for index, name in enumerate(HOSTILE):
        project = make_project((companies[index], "customer"), (companies[-1 - index], "supplier"), title=name,
                               description=name, next_step=name, responsible=official,
                               next_step_due=date.today() - timedelta(days=1))
        project.stage_changes.append(StageChange(from_stage="proposal", to_stage="negotiation", note=name,
                                                 actor=official))
    db.session.commit()


def assert_no_formula_in_workbook(content: bytes) -> int:
    workbook = load_workbook(io.BytesIO(content))
    cells = 0
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                cells += 1
                assert cell.data_type != "f", f"{sheet.title}!{cell.coordinate} is a formula: {cell.value!r}"
                if isinstance(cell.value, str):
                    assert not cell.value.startswith(FORMULA_STARTS), f"{sheet.title}!{cell.coordinate}"
    return cells


@pytest.mark.parametrize("kind", imports.KINDS)
def test_exports_write_no_formula(hostile_world, kind):
    stream = io.BytesIO()
    exports.export(stream, kind, "xlsx")
    assert assert_no_formula_in_workbook(stream.getvalue())
    stream = io.BytesIO()
    exports.export(stream, kind, "csv")
    for row in read_csv(stream.getvalue()):
        for value in row:
            assert not value.startswith(FORMULA_STARTS), value
    assert any("'=HYPERLINK" in value for row in read_csv(stream.getvalue()) for value in row)


@pytest.mark.parametrize("kind", imports.KINDS)
def test_templates_write_no_formula(db, kind):
    stream = io.BytesIO()
    exports.write_template(stream, kind, "xlsx")
    assert assert_no_formula_in_workbook(stream.getvalue())


def test_the_project_report_writes_no_formula_on_any_sheet(hostile_world):
    stream = io.BytesIO()
    reports.build_report(stream)
    workbook = load_workbook(io.BytesIO(stream.getvalue()))
    assert [sheet.title for sheet in workbook.worksheets] == [reports.SUMMARY, reports.PROJECTS, reports.CHANGES]
    assert assert_no_formula_in_workbook(stream.getvalue())
    titles = [row[1] for row in workbook[reports.PROJECTS].iter_rows(min_row=2, values_only=True)]
    assert "'" + HOSTILE[0] in titles  # still readable, as the exports write it
