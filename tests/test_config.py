import pytest

from config import ConfigError, DevelopmentConfig, ProductionConfig
from registry import create_app


def test_production_refuses_to_start_without_secret_key_and_database(monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    with pytest.raises(ConfigError, match="SECRET_KEY and DATABASE_URL"):
        create_app(ProductionConfig)


def test_production_names_the_one_missing_setting(monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "x" * 40)
    monkeypatch.setenv("EXTERNAL_URL", "https://registry.example.ru")
    monkeypatch.delenv("DATABASE_URL", raising=False)
    with pytest.raises(ConfigError, match="DATABASE_URL") as error:
        create_app(ProductionConfig)
    assert "SECRET_KEY" not in str(error.value)


def test_production_starts_with_its_settings_and_secure_cookies(monkeypatch, tmp_path):
    monkeypatch.setenv("SECRET_KEY", "x" * 40)
    monkeypatch.setenv("EXTERNAL_URL", "https://registry.example.ru")
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path}/prod.db")
    app = create_app(ProductionConfig)
    assert app.config["SQLALCHEMY_DATABASE_URI"].endswith("prod.db")
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["EXTERNAL_URL"] == "https://registry.example.ru"


def test_production_refuses_links_in_mails_without_https(monkeypatch, tmp_path):
    monkeypatch.setenv("SECRET_KEY", "x" * 40)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path}/prod.db")
    monkeypatch.setenv("EXTERNAL_URL", "http://registry.example.ru")
    with pytest.raises(ConfigError, match="EXTERNAL_URL must be an https"):
        create_app(ProductionConfig)


def test_development_defaults_to_a_sqlite_file_in_the_instance_folder(monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.delenv("REGISTRY_CONFIG", raising=False)
    app = create_app()
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{app.instance_path}/registry.db"


@pytest.mark.parametrize("config_class", [DevelopmentConfig, ProductionConfig])
def test_database_url_selects_the_database(monkeypatch, tmp_path, config_class):
    monkeypatch.setenv("SECRET_KEY", "x" * 40)
    monkeypatch.setenv("EXTERNAL_URL", "https://registry.example.ru")
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path}/chosen.db")
    app = create_app(config_class)
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path}/chosen.db"
