"""Authentication and tenancy of the agencies server.

* **Tokens** (setting ``tokens_file``, a JSON file; or ``admin_token`` alone): ``{"admin": "…", "courts":
  [{"token": "…", "court": "R410811", "namespace": "court-a"}, …]}``. A court's token is bound to one court and
  one namespace: its requests go to that namespace (an ``X-Zhixing-Session`` naming another is refused), and
  their court is the token's — a request body claiming another ``court_code`` is refused, a poll never shows
  another court's ticket. The admin token is needed for every ``/admin`` route. The catalogue (``GET
  /agencies``) and the docs stay open. Without any token configured the server is open (a test harness on
  loopback); ``zhixing agencies serve`` refuses to bind beyond loopback then, unless told ``--insecure-open``.
* **Cross-site requests** are refused always: a state-changing request (POST, PUT, PATCH, DELETE) whose
  ``Origin`` is not the server itself, or that a browser marks ``Sec-Fetch-Site: cross-site``.

Refusals use the bilingual error body: 401 (no token), 403 (a wrong one, another court or namespace, cross-site).
"""

from __future__ import annotations

import hmac
import json
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from starlette.responses import JSONResponse
from starlette.types import Scope

from core_flow.errors import UserError
from mock_agencies.error_body import user_error_body

COURT: ContextVar[str | None] = ContextVar("zhixing_court", default=None)  # the court of the request's token

_PUBLIC = frozenset({"/agencies", "/health", "/docs", "/redoc", "/openapi.json", "/docs/oauth2-redirect"})
_CHANGING = frozenset({"POST", "PUT", "PATCH", "DELETE"})
_SESSION = b"x-zhixing-session"


@dataclass(frozen=True, slots=True)
class Grant:
    court: str
    namespace: str


class Tokens:
    def __init__(self, admin: str | None, courts: dict[str, Grant]) -> None:
        self.admin = admin
        self.courts = courts

    @classmethod
    def configured(cls, tokens_file: str | None, admin_token: str | None) -> Tokens | None:
        """The tokens of the settings (``None``: none configured, the server is open)."""
        if tokens_file is None and admin_token is None:
            return None
        admin, courts = admin_token, {}
        if tokens_file is not None:
            file_admin, courts = _load(Path(tokens_file))
            admin = admin or file_admin
        return cls(admin, courts)

    def admin_ok(self, token: str | None) -> bool:
        return token is not None and self.admin is not None and hmac.compare_digest(token, self.admin)

    def grant(self, token: str | None) -> Grant | None:
        if token is None:
            return None
        for known, grant in self.courts.items():  # constant-time per token
            if hmac.compare_digest(known, token):
                return grant
        return None


def _bad_file(path: Path, zh: str, en: str) -> UserError:
    return UserError(f"令牌文件 {path} 无效：{zh}", f"invalid tokens file {path}: {en}",
                     where="ZHIXING_AGENCIES_TOKENS_FILE")


def _load(path: Path) -> tuple[str | None, dict[str, Grant]]:
    try:
        data = json.loads(path.read_bytes().decode("utf-8"))
    except OSError as err:
        raise _bad_file(path, f"无法读取（{err.strerror}）", f"cannot read it ({err.strerror})") from None
    except (UnicodeDecodeError, ValueError) as err:
        raise _bad_file(path, f"不是 UTF-8 JSON（{err}）", f"not UTF-8 JSON ({err})") from None
    if not isinstance(data, dict):
        raise _bad_file(path, "顶层须为对象", "the top level must be an object")
    admin = data.get("admin")
    if admin is not None and (not isinstance(admin, str) or len(admin) < 16):
        raise _bad_file(path, "admin 须为至少 16 个字符的字符串", "admin must be a string of at least 16 characters")
    courts: dict[str, Grant] = {}
    for i, row in enumerate(data.get("courts") or ()):
        if not isinstance(row, dict) or not all(isinstance(row.get(k), str) and row[k] for k in
                                                ("token", "court", "namespace")):
            raise _bad_file(path, f"courts[{i}] 须有 token、court、namespace",
                            f"courts[{i}] needs token, court, namespace")
        if len(row["token"]) < 16:
            raise _bad_file(path, f"courts[{i}].token 至少 16 个字符", f"courts[{i}].token: at least 16 characters")
        courts[row["token"]] = Grant(row["court"], row["namespace"])
    return admin, courts


def _refuse(status: int, zh: str, en: str, where: str, code: str) -> JSONResponse:
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    return JSONResponse(user_error_body(UserError(zh, en, where=where, code=code)), status_code=status,
                        headers=headers)


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope["headers"]:
        if key == name:
            return value.decode("latin-1")
    return None


def cross_site(scope: Scope) -> JSONResponse | None:
    """The refusal of a cross-site state-changing request (``None``: not one)."""
    if scope["method"] not in _CHANGING:
        return None
    fetch_site = _header(scope, b"sec-fetch-site")
    origin = _header(scope, b"origin")
    foreign = fetch_site == "cross-site"
    if origin is not None and not foreign:
        host = _header(scope, b"host") or ""
        foreign = origin == "null" or urlsplit(origin).netloc.lower() != host.lower()
    if not foreign:
        return None
    shown = origin or "-"
    return _refuse(403, f"拒绝跨站请求（Origin {shown}）", f"cross-site request refused (Origin {shown})",
                   "header Origin", "cross_site")


def authorise(scope: Scope, tokens: Tokens) -> tuple[JSONResponse | None, Grant | None]:
    """(refusal, grant) of an HTTP request under ``tokens``; a court's request gets its namespace header set."""
    path = scope["path"]
    if path in _PUBLIC and scope["method"] in ("GET", "HEAD"):
        return None, None
    auth = _header(scope, b"authorization")
    token = auth[7:].strip() if auth is not None and auth[:7].lower() == "bearer " else None
    if path.startswith("/admin"):
        if tokens.admin_ok(token):
            return None, None
        if token is None:
            return _refuse(401, "管理接口须提供管理令牌（Authorization: Bearer …）",
                           "admin routes need the admin token (Authorization: Bearer …)", "header Authorization",
                           "unauthorised"), None
        return _refuse(403, "该令牌不能使用管理接口", "this token may not use the admin routes", "header Authorization",
                       "forbidden"), None
    grant = tokens.grant(token)
    if grant is None:
        if token is None:
            return _refuse(401, "须提供法院令牌（Authorization: Bearer …）",
                           "a court token is needed (Authorization: Bearer …)", "header Authorization",
                           "unauthorised"), None
        return _refuse(403, "令牌无效", "unknown token", "header Authorization", "forbidden"), None
    named = _header(scope, _SESSION)
    if named is not None and named != grant.namespace:
        return _refuse(403, f"该令牌只能使用命名空间 {grant.namespace}", f"this token may only use namespace "
                       f"{grant.namespace}", "header X-Zhixing-Session", "forbidden"), None
    if named is None:
        scope["headers"] = [*scope["headers"], (_SESSION, grant.namespace.encode("latin-1"))]
    return None, grant


def check_court(claimed: str, where: str = "body.court_code") -> None:
    """Refuse a request whose body claims another court than its token's."""
    court = COURT.get()
    if court is not None and claimed != court:
        raise UserError(
            f"令牌属于法院 {court}，不能以法院 {claimed} 的名义提出请求",
            f"the token is court {court}'s: it cannot act as court {claimed}",
            where=where,
            code="forbidden",
        )


def is_loopback_host(host: str) -> bool:
    """``host`` (a bind address) reaches this machine only."""
    import ipaddress

    name = host.strip().strip("[]").lower()
    if name in ("localhost", "localhost.localdomain"):
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def visible(court_code: str) -> bool:
    """A ticket of ``court_code`` may be shown to the request's court."""
    court = COURT.get()
    return court is None or court == court_code
