from flask import current_app, redirect, render_template, request, session, url_for
from flask_login import current_user

from registry.extensions import csrf, db
from registry.main import bp
from registry.main.overview import registry_overview
from registry.url_safety import safe_next


@bp.get("/")
def index():
    return render_template("main/index.html", overview=registry_overview())


@bp.post("/language/<lang>")
@csrf.exempt  # a language choice is harmless to forge, and a page without a token can be served to every visitor
def set_language(lang: str):
    if lang in current_app.config["LANGUAGES"]:
        session["locale"] = lang
        if current_user.is_authenticated:
            current_user.locale = lang
            db.session.commit()
    return redirect(safe_next(request.form.get("next")) or url_for("main.index"))
