"""The simulator's own page and control endpoints: accounts, pushes, misbehaviour, state."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, redirect, render_template_string, request

from .api import state
from .push import deliver, follow_event
from .state import PUSH_MODES

bp = Blueprint("sim_console", __name__)
PUSH_EVENTS = ("subscribe", "SCAN", "unsubscribe")

PAGE = """<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>WeChat simulator</title>
<style>body{font-family:system-ui,sans-serif;max-width:52rem;margin:1.5rem auto;padding:0 1rem}
table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #ddd;padding:.3rem;text-align:left;font-size:.9rem}
fieldset{margin:1rem 0}input,select,button{font-size:1rem;margin:.2rem}</style></head>
<body data-screen="sim-console">
<h1>WeChat simulator</h1>
<p>Pushes go to <code>{{ app_url }}/wechat/&lt;account&gt;/callback</code>. State as JSON: <a href="/sim/state">/sim/state</a>.
A follower's phone (chat, menu, QR scanner): <a href="/sim/phone">/sim/phone?app_id=&amp;user=</a>.</p>
<h2>Accounts</h2>
<table><tr><th>app id</th><th>callback slug</th><th>push mode</th><th>followers</th></tr>
{% for a in accounts %}<tr><td>{{ a.app_id }}</td><td>{{ a.slug }}</td><td>{{ a.mode }}</td>
<td>{{ users.get(a.app_id, {})|length }}</td></tr>{% endfor %}</table>
<form method="post" action="/sim/push"><fieldset><legend>Push a follow event</legend>
<select name="app_id">{% for a in accounts %}<option>{{ a.app_id }}</option>{% endfor %}</select>
<select name="event">{% for e in events %}<option>{{ e }}</option>{% endfor %}</select>
<input name="user" placeholder="follower name" required>
<input name="scene" placeholder="QR scene (optional)">
<button type="submit">Push</button></fieldset></form>
<form method="post" action="/sim/misbehave"><fieldset><legend>Misbehave</legend>
<label>expire the token of <select name="expire_token"><option value="">—</option>
{% for a in accounts %}<option>{{ a.app_id }}</option>{% endfor %}</select></label>
<label>rate-limit next <input name="rate_limit" type="number" min="0" value="0" size="3"> calls</label>
<label>answer slowly (ms) <input name="slow_ms" type="number" min="0" value="{{ misbehave.slow_ms }}" size="5"></label>
<label>drop next <input name="drop_pushes" type="number" min="0" value="0" size="3"> pushes</label>
<button type="submit">Apply</button></fieldset></form>
<h2>Recent pushes</h2>
<table><tr><th>event</th><th>openid</th><th>mode</th><th>status</th></tr>
{% for p in pushes %}<tr><td>{{ p.event }}</td><td>{{ p.openid }}</td><td>{{ p.mode }}</td><td>{{ p.status }}</td></tr>{% endfor %}
</table>
<h2>Service notices sent (<a href="/sim/templates">JSON</a>)</h2>
<table><tr><th>app id</th><th>follower</th><th>template</th><th>first</th></tr>
{% for t in templates %}<tr><td>{{ t.app_id }}</td><td>{{ t.user }}</td><td>{{ t.template_id }}</td>
<td>{{ (t.data.first or {}).value }}</td></tr>{% endfor %}
</table></body></html>"""


def _form() -> dict:
    return request.get_json(silent=True) or request.form.to_dict()


def _wants_page() -> bool:
    return not request.is_json


@bp.get("/")
def index():
    """The simulator's page: accounts, a push form, misbehaviour switches, recent pushes."""
    sim = state()
    with sim.lock:
        accounts, users, pushes = list(sim.accounts.values()), dict(sim.users), list(reversed(sim.pushes[-20:]))
        templates = list(reversed(sim.templates[-20:]))
    return render_template_string(
        PAGE,
        accounts=accounts,
        users=users,
        pushes=pushes,
        templates=templates,
        events=PUSH_EVENTS,
        misbehave=sim.misbehave,
        app_url=current_app.config["APP_URL"],
    )


@bp.get("/sim/state")
def snapshot():
    """Everything the simulator remembers, as JSON (the red packets WeChat Pay sent included)."""
    pay = current_app.config.get("SIM_PAY")
    return jsonify({**state().snapshot(), "red_packets": pay.listing() if pay else []})


@bp.post("/sim/accounts")
def register_account():
    """Create or update an account: ``app_id``, ``secret``, ``token``, ``aes_key``, ``slug``, ``mode``."""
    form = _form()
    if not str(form.get("app_id", "")).startswith("wx") or form.get("mode", "aes") not in PUSH_MODES:
        return jsonify(errcode=40013, errmsg="invalid appid or mode")
    account = state().register(
        form["app_id"], **{k: form.get(k) for k in ("secret", "token", "aes_key", "slug", "mode")}
    )
    return jsonify(errcode=0, errmsg="ok", app_id=account.app_id, mode=account.mode)


@bp.post("/sim/push")
def push():
    """Push ``event`` (subscribe, SCAN, unsubscribe) of follower ``user`` to the app."""
    form = _form()
    event, user = form.get("event", ""), str(form.get("user", "")).strip()[:32]
    app_id = form.get("app_id") or next(iter(state().accounts))
    if event not in PUSH_EVENTS or not user or state().account(app_id) is None:
        return jsonify(errcode=40001 if not user else 40097, errmsg="invalid args")
    fields = follow_event(state(), app_id, user, event, str(form.get("scene", "")).strip()[:64])
    record = deliver(state(), current_app.config["APP_URL"], app_id, fields, repeat=int(form.get("repeat") or 1))
    if _wants_page():
        return redirect("/")
    return jsonify(errcode=0, errmsg="ok", **record)


@bp.post("/sim/misbehave")
def misbehave():
    """Set the switches: ``expire_token`` (app id), ``rate_limit``, ``rate_errcode``, ``slow_ms``,
    ``drop_pushes``, ``expire_at_call``."""
    form, sim = _form(), state()
    if form.get("expire_token"):
        sim.expire_token(form["expire_token"])
    with sim.lock:
        for name in ("rate_limit", "rate_errcode", "slow_ms", "drop_pushes", "expire_at_call"):
            if str(form.get(name, "")).strip() != "":
                setattr(sim.misbehave, name, max(0, int(form[name])))
    if _wants_page():
        return redirect("/")
    return jsonify(errcode=0, errmsg="ok", **sim.snapshot()["misbehave"])
