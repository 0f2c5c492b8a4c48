"""Admin user management and the own profile (contract §2.6)."""
from __future__ import annotations

import re
import uuid

from . import dates, db
from .auth import ROLES, check_password, check_password_length, hash_password, user_json
from .web import BEARER, BEARER_MM, ApiError, Req, Routes, json_response, page

ROUTES = Routes()

_UUID_PATH = re.compile(r"[0-9a-fA-F-]{36}")
MAX_SIZES = {"email": 200, "name": 200, "phone": 40}  # cp_users columns (AdminUser maxSize constraints)


def _too_long(fields: dict) -> str | None:
    """The first of email/name/phone longer than its column, as Grails' validation message."""
    for prop, size in MAX_SIZES.items():
        value = fields.get(prop)
        if value is not None and len(str(value)) > size:
            return _validation(prop, value, prop)
    return None
_CLASS = "class cpservice.AdminUser"


def _validation(prop: str, value, rule: str) -> str:
    """Grails' resolved validation message, as the generic catch renders it."""
    if rule == "inList":
        return (f"Property [{prop}] of class [{_CLASS}] with value [{value}] is not contained within "
                f"the list [{list(ROLES) if prop == 'role' else ['active', 'disabled']}]")
    if rule == "unique":
        return f"Property [{prop}] of class [{_CLASS}] with value [{value}] must be unique"
    if rule in MAX_SIZES:
        return (f"Property [{prop}] of class [{_CLASS}] with value [{value}] exceeds the maximum size of "
                f"[{MAX_SIZES[rule]}]")
    return f"Property [{prop}] of class [{_CLASS}] with value [{value}] is not valid"


def _me(req: Req) -> dict:
    row = db.one("SELECT * FROM cp_users WHERE id = %s", (req.state["admin_user_id"],))
    if not row:
        raise ApiError(404, "user not found")
    return row


@ROUTES.add("GET", "/users/me", BEARER)
def show_me(req: Req):
    return user_json(_me(req), with_login=True)


@ROUTES.add("PUT", "/users/me", BEARER)
def update_me(req: Req):
    body = req.obj()
    if any(k in body for k in ("email", "role", "status")):
        raise ApiError(400, "only name and phone can be updated")
    if "name" not in body and "phone" not in body:
        raise ApiError(400, "no profile fields provided")
    row = _me(req)
    name = body["name"] if "name" in body else row["name"]
    phone = body["phone"] if "phone" in body else row["phone"]
    if (name is not None and len(str(name)) > 200) or (phone is not None and len(str(phone)) > 40):
        raise ApiError(400, "name or phone is too long")
    row = db.one("UPDATE cp_users SET name = %s, phone = %s, last_updated = %s WHERE id = %s RETURNING *",
                 (None if name is None else str(name), None if phone is None else str(phone),
                  dates.now(), row["id"]))
    return user_json(row, with_login=True)


@ROUTES.add("PUT", "/users/me/password", BEARER)
def update_my_password(req: Req):
    body = req.obj()
    current, new = body.get("currentPassword"), body.get("newPassword")
    if not isinstance(current, str) or not current:
        raise ApiError(400, "currentPassword is required")
    if not isinstance(new, str) or not new:
        raise ApiError(400, "newPassword is required")
    check_password_length("newPassword", new)
    row = _me(req)
    if not check_password(current, row["password_hash"]):
        raise ApiError(400, "currentPassword is invalid")
    row = db.one("UPDATE cp_users SET password_hash = %s, last_updated = %s WHERE id = %s RETURNING *",
                 (hash_password(new), dates.now(), row["id"]))
    return user_json(row, with_login=True)


@ROUTES.add("GET", "/users", BEARER_MM)
def list_users(req: Req):
    limit, offset = page(req, 100, 200)
    rows = db.all("SELECT * FROM cp_users ORDER BY email LIMIT %s OFFSET %s", (limit, offset))
    count = db.one("SELECT count(*) AS n FROM cp_users")["n"]
    return {"items": [user_json(r, with_login=True) for r in rows], "count": count}


@ROUTES.add("POST", "/users", BEARER_MM)
def create_user(req: Req):
    body = req.obj()
    email, password = body.get("email"), body.get("password")
    role = body.get("role") or "TRADER"
    if not isinstance(email, str) or not email.strip():
        raise ApiError(400, "email is required")
    email = email.strip().lower()
    if "@" not in email:
        raise ApiError(400, "email is invalid")
    if not isinstance(password, str) or not password:
        raise ApiError(400, "password is required")
    if str(role).upper() == "MASTER" and req.state["admin_user_role"] != "MASTER":
        raise ApiError(403, "Forbidden")
    if role not in ROLES:  # not upper-cased here (contract §2.6)
        raise ApiError(400, _validation("role", role, "inList"))
    name, phone = _opt_str(body.get("name")), _opt_str(body.get("phone"))
    problem = _too_long({"email": email, "name": name, "phone": phone})
    if problem:  # the generic catch of AdminUserController.save: 400 with the validation message
        raise ApiError(400, problem)
    check_password_length("password", password)
    if db.one("SELECT 1 FROM cp_users WHERE email = %s", (email,)):
        raise ApiError(400, _validation("email", email, "unique"))
    now = dates.now()
    row = db.one(
        "INSERT INTO cp_users (id, email, password_hash, role, status, name, phone, date_created, last_updated)"
        " VALUES (%s, %s, %s, %s, 'active', %s, %s, %s, %s) ON CONFLICT (email) DO NOTHING RETURNING *",
        (str(uuid.uuid4()), email, hash_password(password), role, name, phone, now, now))
    if row is None:  # created concurrently by another request
        raise ApiError(400, _validation("email", email, "unique"))
    return json_response(user_json(row), 201)


def _opt_str(value) -> str | None:
    return None if value is None else str(value)


def _check_path(user_id: str) -> None:
    if not _UUID_PATH.fullmatch(user_id):
        raise ApiError(404, "Not Found")  # the URL mapping only accepts 36-char ids


def _user_or_400(user_id: str) -> dict:
    _check_path(user_id)
    row = db.one("SELECT * FROM cp_users WHERE id = %s", (user_id,))
    if not row:
        raise ApiError(400, "user not found")
    return row


def _status(value) -> str:
    if isinstance(value, bool):
        return "active" if value else "disabled"
    text = str(value).strip().lower()
    if text in ("true", "active"):
        return "active"
    if text in ("false", "disabled"):
        return "disabled"
    # Real CP: uncaught ValidationException → 500 (HTML there, JSON here; DIVERGENCES.md).
    raise ApiError(500, _validation("status", value, "inList"))


@ROUTES.add("PUT", "/users/{id}", BEARER_MM)
def update_user(req: Req):
    row = _user_or_400(req.path_params["id"])
    body = req.obj()
    caller_role = req.state["admin_user_role"]
    fields = {}
    if "email" in body:
        if caller_role != "MASTER":
            raise ApiError(403, "Forbidden")
        email = str(body["email"] or "").strip().lower()
        if not email:
            raise ApiError(400, "email is required")
        if "@" not in email:
            raise ApiError(400, "email is invalid")
        if email != row["email"] and db.one("SELECT 1 FROM cp_users WHERE email = %s", (email,)):
            raise ApiError(400, _validation("email", email, "unique"))
        fields["email"] = email
    if body.get("role") is not None:
        role = str(body["role"]).upper()
        if role == "MASTER" and caller_role != "MASTER":
            raise ApiError(403, "Forbidden")
        if role not in ROLES:
            raise ApiError(500, _validation("role", role, "inList"))
        fields["role"] = role
    if body.get("status") is not None:
        fields["status"] = _status(body["status"])
    for key in ("name", "phone"):
        if key in body:
            fields[key] = _opt_str(body[key])
    problem = _too_long(fields)
    if problem:  # Real CP: uncaught ValidationException → 500 (as for role and status)
        raise ApiError(500, problem)
    if fields:
        fields["last_updated"] = dates.now()
        sets = ", ".join(f"{k} = %s" for k in fields)
        row = db.one(f"UPDATE cp_users SET {sets} WHERE id = %s RETURNING *", (*fields.values(), row["id"]))
    return user_json(row, with_login=True)


@ROUTES.add("POST", "/users/{id}/reset-password", BEARER_MM)
def reset_password(req: Req):
    _check_path(req.path_params["id"])
    body = req.obj()
    password = body.get("password")
    if not isinstance(password, str) or not password:
        raise ApiError(400, "password is required")
    check_password_length("password", password)
    row = _user_or_400(req.path_params["id"])
    row = db.one("UPDATE cp_users SET password_hash = %s, last_updated = %s WHERE id = %s RETURNING *",
                 (hash_password(password), dates.now(), row["id"]))
    return user_json(row, with_login=True)
