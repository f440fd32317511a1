import pytest


@pytest.fixture(autouse=True)
def upload_folder(app, tmp_path):
    """Uploads of these tests go to a temporary folder, not the instance folder."""
    app.config["TRANSFER_UPLOAD_FOLDER"] = str(tmp_path / "uploads")
    yield
    app.config.pop("TRANSFER_UPLOAD_FOLDER", None)
