from sqlalchemy import select

from registry.models import AuditEntry
from tests.factories import make_user, region


def test_admin_makes_someone_an_official_of_a_region(client, db, login):
    admin = login(make_user("admin"))
    user = make_user("admin", email="colleague@example.org")
    db.session.commit()
    assert "colleague@example.org" in client.get("/auth/users").get_data(as_text=True)
    mordovia = region("RU-MO")
    response = client.post(f"/auth/users/{user.id}", data={"role": "official", "region": mordovia.id, "active": "y"})
    assert response.status_code == 302
    db.session.refresh(user)
    assert user.role == "official" and user.region_id == mordovia.id and user.active
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "user.update"))
    assert entry.actor_id == admin.id and entry.changes["role"] == "official"


def test_admin_cannot_lock_themselves_out(client, db, login):
    admin = login(make_user("admin"))
    response = client.post(f"/auth/users/{admin.id}", data={"role": "official", "region": "", "active": "y"})
    assert response.status_code == 400
    assert "Нельзя лишить прав администратора самого себя" in response.get_data(as_text=True)
    db.session.refresh(admin)
    assert admin.role == "admin"


def test_a_deactivated_user_cannot_log_in(client, db, login):
    login(make_user("admin"))
    user = make_user("official", email="gone@example.org")
    db.session.commit()
    client.post(f"/auth/users/{user.id}", data={"role": "official", "region": ""})
    client.post("/auth/logout")
    response = client.post("/auth/login", data={"email": "gone@example.org", "password": "correct horse battery"})
    assert response.status_code == 400


def test_only_admins_manage_users(client, db, login):
    login(make_user("official"))
    assert client.get("/auth/users").status_code == 403
