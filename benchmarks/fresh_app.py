"""A registry app on a new SQLite file, migrated and holding the reference data: the benchmarks' start."""

import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask_migrate import upgrade  # noqa: E402

from config import TestingConfig  # noqa: E402
from registry import create_app  # noqa: E402
from registry.extensions import db  # noqa: E402
from registry.services import seeding  # noqa: E402


def fresh_app(name: str):
    folder = tempfile.mkdtemp(prefix=f"{name}-")
    config = type("BenchmarkConfig", (TestingConfig,), {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/{name}.db"})
    app = create_app(config)
    with app.app_context():
        upgrade()
        seeding.seed_reference()
        db.session.commit()
    return app
