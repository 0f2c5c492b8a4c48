"""Admin users' authentication (contract §2.2, §2.3, §2.5): bcrypt passwords, HS256 admin JWT,
the BEARER guard, the bootstrap users and `POST /auth/login`."""
from __future__ import annotations

import uuid
import warnings
from datetime import timedelta

import bcrypt

from . import dates, db
from .web import ApiError, Req, Routes

ROUTES = Routes()

# The real default secret (`dev-admin-secret`) is short; PyJWT would warn on every token.
warnings.filterwarnings("ignore", message="The HMAC key is")

ROLES = ("MASTER", "TRADER", "MANAGER")
BOOTSTRAP = (("MASTER", "master@xpory.local"), ("TRADER", "trader@xpory.local"),
             ("MANAGER", "manager@xpory.local"))


BCRYPT_MAX_BYTES = 72


def check_password_length(name: str, password: str) -> None:
    """bcrypt reads 72 bytes at most: a longer password is refused (the real CP truncates it, DIVERGENCES.md)."""
    if len(password.encode("utf-8")) > BCRYPT_MAX_BYTES:
        raise ApiError(400, f"{name} must be at most {BCRYPT_MAX_BYTES} bytes (UTF-8)")


def hash_password(password: str) -> str:
    rounds = max(4, min(31, db.settings().bcrypt_rounds))
    return bcrypt.hashpw(password.encode("utf-8"), bcrypt.gensalt(rounds)).decode("ascii")


def check_password(password: str, hashed: str) -> bool:
    try:
        return bcrypt.checkpw(password.encode("utf-8"), hashed.encode("ascii"))
    except ValueError:
        return False


def bootstrap_users() -> None:
    """Create each bootstrap user whose email is missing (runs on every CP start)."""
    password = db.settings().bootstrap_password
    with db.tx() as conn:
        for role, email in BOOTSTRAP:
            if conn.execute("SELECT 1 FROM cp_users WHERE email = %s", (email,)).fetchone():
                continue
            now = dates.now()
            conn.execute(
                "INSERT INTO cp_users (id, email, password_hash, role, status, date_created, last_updated)"
                " VALUES (%s, %s, %s, %s, 'active', %s, %s) ON CONFLICT (email) DO NOTHING",
                (str(uuid.uuid4()), email, hash_password(password), role, now, now))


def issue_token(user: dict) -> str:
    import jwt

    s = db.settings()
    now = dates.now()
    exp = now + timedelta(seconds=s.admin_jwt_ttl_seconds)
    claims = {"jti": str(uuid.uuid4()), "sub": user["id"], "userId": user["id"], "email": user["email"],
              "role": user["role"], "iat": dates.epoch_s(now), "exp": dates.epoch_s(exp),
              "expiresAt": dates.epoch_ms(exp)}
    return jwt.encode(claims, s.admin_jwt_secret.encode("utf-8"), algorithm="HS256")


def require_admin(req: Req, managers_only: bool = False) -> dict:
    """The BEARER guard: sets req.state admin_user_id / admin_user_role / admin_user_email."""
    header = req.header("authorization") or ""
    if not header.lower().startswith("bearer "):
        raise ApiError(401, "Missing bearer token")
    token = header[7:].strip()
    import jwt

    try:
        claims = jwt.decode(token, db.settings().admin_jwt_secret.encode("utf-8"), algorithms=["HS256"],
                            options={"verify_aud": False, "require": ["exp"]})
    except jwt.PyJWTError:
        raise ApiError(401, "Invalid token") from None
    if not claims.get("userId") or not claims.get("role"):
        raise ApiError(401, "Invalid token")
    if managers_only and claims["role"] not in ("MASTER", "MANAGER"):
        raise ApiError(403, "Forbidden")
    req.state.update(admin_user_id=claims["userId"], admin_user_role=claims["role"],
                     admin_user_email=claims.get("email"))
    return claims


def user_json(row: dict, with_status: bool = True, with_login: bool = False) -> dict:
    out = {"id": row["id"], "email": row["email"], "name": row.get("name"), "phone": row.get("phone"),
           "role": row["role"]}
    if with_status:
        out["status"] = row["status"]
    if with_login:
        out["lastLoginAt"] = row.get("last_login_at")
    return out


@ROUTES.add("POST", "/auth/login")
def login(req: Req):
    body = req.obj()
    email, password = body.get("email"), body.get("password")
    if not isinstance(email, str) or not email.strip() or not isinstance(password, str) or not password:
        raise ApiError(401, "Invalid credentials")
    user = db.one("SELECT * FROM cp_users WHERE email = %s", (email.strip().lower(),))
    if not user or user["status"] == "disabled" or not check_password(password, user["password_hash"]):
        raise ApiError(401, "Invalid credentials")
    db.run("UPDATE cp_users SET last_login_at = %s WHERE id = %s", (dates.now(), user["id"]))
    return {"token": issue_token(user), "expiresInSeconds": db.settings().admin_jwt_ttl_seconds,
            "user": user_json(user, with_status=False)}
