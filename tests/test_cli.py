import pytest
from sqlalchemy import select

from registry.models import ApiToken, Company, User
from registry.services.users import hash_token
from tests.factories import make_company


def create_user(runner, *args, password="long enough password"):
    return runner.invoke(args=["users", "create", *args, "--password-stdin"], input=password + "\n")


def test_users_create_stores_a_hashed_password(runner, db):
    result = create_user(runner, "--email", "Official@Example.org", "--role", "official", "--region", "RU-ULY")
    assert result.exit_code == 0, result.output
    user = db.session.scalar(select(User).where(User.email == "official@example.org"))
    assert user.region.iso_code == "RU-ULY"
    assert "long enough password" not in user.password_hash
    assert user.check_password("long enough password") and not user.check_password("wrong")


def test_company_representative_is_bound_to_the_company(runner, db):
    company = make_company()
    db.session.commit()
    result = create_user(runner, "--email", "rep@example.org", "--role", "company", "--company-inn", company.inn)
    assert result.exit_code == 0, result.output
    assert db.session.scalar(select(User).where(User.email == "rep@example.org")).company_id == company.id


@pytest.mark.parametrize("reference", ["id", "name"])
def test_a_representative_of_a_seeded_firm_without_an_inn_is_created_by_its_id_or_name(runner, founding, reference):
    company = founding.session.scalar(select(Company).where(Company.name == "АО «Орбита»"))
    assert company.inn is None  # the article names no INN, and none is invented
    value = str(company.id) if reference == "id" else "АО «Орбита»"
    result = create_user(runner, "--email", "rep@example.org", "--role", "company", "--company", value)
    assert result.exit_code == 0, result.output
    user = founding.session.scalar(select(User).where(User.email == "rep@example.org"))
    assert user.company_id == company.id and user.company_approved


def test_an_unknown_company_reference_is_refused_and_nobody_is_created(runner, db):
    result = create_user(runner, "--email", "rep@example.org", "--role", "company", "--company", "ООО «Нет такого»")
    assert result.exit_code == 1 and "ООО «Нет такого»" in result.output
    assert db.session.scalar(select(User)) is None


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--email", "a@example.org", "--role", "wizard"], "Неизвестная роль wizard"),
        (["--email", "a@example.org", "--role", "official", "--region", "RU-XXX"], "Неизвестный регион RU-XXX"),
        (["--email", "a@example.org", "--role", "company", "--company-inn", "7707083893"], "Нет предприятия с ИНН 7707083893"),
        (["--email", "a@example.org", "--role", "company"], "укажите предприятие"),
        (["--email", "not-an-email", "--role", "admin"], "адрес электронной почты"),
    ],
)
def test_users_create_explains_bad_input_in_russian(runner, db, args, message):
    result = create_user(runner, *args)
    assert result.exit_code == 1
    assert message in result.output
    assert db.session.scalar(select(User)) is None


def test_users_create_refuses_a_duplicate_email(runner, db):
    assert create_user(runner, "--email", "a@example.org", "--role", "admin").exit_code == 0
    result = create_user(runner, "--email", "A@example.org", "--role", "admin")
    assert result.exit_code == 1 and "уже есть" in result.output
    assert len(db.session.scalars(select(User)).all()) == 1


def test_users_create_refuses_a_short_password(runner, db):
    result = create_user(runner, "--email", "a@example.org", "--role", "admin", password="short")
    assert result.exit_code == 1 and "не менее 8" in result.output


def test_tokens_create_prints_the_token_last_and_stores_its_hash(runner, db):
    create_user(runner, "--email", "a@example.org", "--role", "admin")
    result = runner.invoke(args=["tokens", "create", "--email", "a@example.org"])
    assert result.exit_code == 0
    token = result.output.strip().splitlines()[-1]
    assert len(token) >= 40 and " " not in token
    stored = db.session.scalar(select(ApiToken))
    assert stored.token_hash == hash_token(token) and stored.token_hash != token


def test_tokens_create_for_an_unknown_user_fails(runner, db):
    result = runner.invoke(args=["tokens", "create", "--email", "nobody@example.org"])
    assert result.exit_code == 1 and "Нет пользователя" in result.output


def test_quickstart_creates_one_administrator_who_can_log_in(fresh_database_url):
    from registry import create_app
    from registry.extensions import db as database
    from tests.conftest import make_config

    app = create_app(make_config(fresh_database_url()))  # an empty database: quickstart migrates it
    runner, client = app.test_cli_runner(), app.test_client()
    result = runner.invoke(args=["quickstart", "--no-serve"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    at = next(index for index, line in enumerate(lines) if "@registry.example" in line)
    email, password = lines[at].split()[-1], lines[at + 1].split()[-1]
    response = client.post("/auth/login", data={"email": email, "password": password})
    assert response.status_code == 302
    again = runner.invoke(args=["quickstart", "--no-serve"])
    assert again.exit_code == 0 and password not in again.output and "@registry.example" not in again.output
    with app.app_context():
        assert len(database.session.scalars(select(User).where(User.role == "admin")).all()) == 1
        database.engine.dispose()
