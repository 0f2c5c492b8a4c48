"""The bad-input probe of every sandbox listener: the nasty values, the requests built from them (a fixed
catalogue plus Hypothesis-drawn mutations of a valid body), the sender that counts what it sent and how each
answer is classified, and the raw-socket client that disconnects in the middle of a body.

A 5xx is *documented* when the contract or sandbox/DIVERGENCES.md says the real stack answers it for that
input (DOCUMENTED_5XX: listener kind, status, start of the error message); any other 5xx, a transport
error or a non-JSON error body from a JSON API is a finding."""
from __future__ import annotations

import json
import socket
import ssl
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import httpx
from hypothesis import strategies as st

LONG = "x" * 5000                       # longer than every varchar of the schemas (the widest is 500)
HUGE = 10 ** 30                         # beyond bigint and numeric(18, x)
NASTY_VALUES: list = [
    "\u0000", "a\u0000b", "\ud800", "x\udfffy", LONG, "²", "١٢٣", "NaN", "Infinity", "-1", "1e309",
    str(HUGE), "-" + str(HUGE), HUGE, -HUGE, 2 ** 63, 10 ** 15, 2 ** 31, -1, 0, 1.5, 1e308, float("nan"), float("inf"),
    float("-inf"), True, None, {}, [], {"a": {"b": [1, {"c": "\u0000"}]}}, ["\u0000"], "", " ", "<b>x</b>",
    "' OR '1'='1", "a b/c?d#e%", "../../x",
]
PATH_VALUES = ["%00", "a%00b", "%C2%B2", "%D9%A1%D9%A2", "9" * 40, "x" * 3000, "NaN", "-1", "%25", "a%20b",
               "%3F%23", "%ED%A0%80"]
QUERY_VALUES = ["a%00b", "%C2%B2", "9" * 40, "-" + "9" * 40, "x" * 300, "NaN", "%ED%A0%80", "2026-13-45T99:99:99Z"]
LEAF_VALUES = ["\u0000", "\ud800", float("nan"), HUGE, LONG, {"x": [1]}, 10 ** 15]
QUERY_NAMES = ["limit", "offset", "max", "from", "to", "status", "q", "search", "whiteLabelId", "eventType",
               "nodeId", "wlId", "wlExporter", "wlImporter", "sourceId", "targetId", "src", "dst", "minValue",
               "maxValue", "clientName", "version", "mode", "activeOnly", "includeOrphans", "signed",
               "importerWlId", "lookup", "name", "updatedSince", "pagina", "accountId", "token", "next",
               "dateStart", "dateEnd", "valueMin", "valueMax", "reportVersion", "useProjection"]


def raw_bodies() -> list[tuple[str, bytes, str]]:
    """(label, body, content type) that no JSON route may crash on."""
    deep = 100_000
    return [
        ("deep array", b"[" * deep + b"]" * deep, "application/json"),
        ("deep object", b'{"a":' * deep + b"1" + b"}" * deep, "application/json"),
        ("moderately deep", b'{"a":' * 200 + b"1" + b"}" * 200, "application/json"),
        ("NaN token", b'{"a": NaN, "b": Infinity, "c": -Infinity}', "application/json"),
        ("1e999", b'{"a": 1e999, "events": [{"payload": {"unitPrice": 1e999}}]}', "application/json"),
        ("not JSON", b"{", "application/json"),
        ("not UTF-8", b'{"a": "\xff\xfe"}', "application/json"),
        ("lone surrogate", b'{"a": "\\ud800", "email": "\\udfff"}', "application/json"),
        ("NUL", b'{"a": "\\u0000", "email": "\\u0000", "name": "\\u0000"}', "application/json"),
        ("array", b"[1, 2, 3]", "application/json"),
        ("string", b'"text"', "application/json"),
        ("huge body", b'{"a": "' + b"x" * (1 << 20) + b'"}', "application/json"),  # just over 1 MiB
        ("form with NUL", b"accountId=%00&token=%00&offerId=%C2%B2&quantity=1e9&next=%00", "application/x-www-form-urlencoded"),
        ("bad form", b"%ZZ=%ZZ&=&a", "application/x-www-form-urlencoded"),
        ("multipart", b"--b\r\n\r\n--b--", "multipart/form-data; boundary=b"),
    ]


def json_values(max_leaves: int = 6) -> st.SearchStrategy:
    """Hypothesis: any JSON-ish value, nasty ones first (NaN, surrogates, huge integers, deep nesting)."""
    scalars = st.one_of(st.sampled_from(NASTY_VALUES), st.integers(min_value=-(2 ** 70), max_value=2 ** 70),
                        st.floats(), st.text(alphabet=st.characters(codec=None), max_size=30),
                        st.just("\u0000" * 3))
    return st.recursive(scalars, lambda inner: st.one_of(st.lists(inner, max_size=3),
                                                         st.dictionaries(st.text(max_size=8), inner, max_size=3)),
                        max_leaves=max_leaves)


def _share(values: list, turn: int, count: int) -> list:
    """`count` of `values`, starting at position `turn` (wrapping): successive turns cover the whole list."""
    start = (turn * count) % len(values)
    return (values * 2)[start:start + min(count, len(values))]


def leaf_paths(body, prefix=()) -> list[tuple]:
    """Every place in a JSON body where a value can be replaced (dict keys and list indexes)."""
    paths = [prefix] if prefix else []
    if isinstance(body, dict):
        for key, value in body.items():
            paths += leaf_paths(value, (*prefix, key))
    elif isinstance(body, list):
        for index, value in enumerate(body):
            paths += leaf_paths(value, (*prefix, index))
    return paths


def replaced(body, path: tuple, value):
    if not path:
        return value
    copy = json.loads(json.dumps(body))
    target = copy
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = value
    return copy


@dataclass(frozen=True)
class Route:
    method: str
    path: str                  # with {param} placeholders
    good_params: dict          # a valid value per path parameter (reaches past the lookups)
    good_body: object = None   # a valid JSON body, mutated by the probe
    headers: dict = field(default_factory=dict)


@dataclass
class Answer:
    label: str
    method: str
    url: str
    status: int | None
    error: str | None
    text: str
    seconds: float = 0.0
    page: bool = False         # an HTML page (the WL's offer page, the storefront)


def _fill(route: Route, params: dict) -> str:
    path = route.path
    for name, value in params.items():
        path = path.replace("{" + name + "}", str(value))
    return path


class Probe:
    """Sends requests to one listener and keeps every answer."""

    def __init__(self, name: str, client_factory, documented: list[tuple[int, str]], json_api: bool = True):
        self.name = name
        self.client_factory = client_factory
        self.documented = documented
        self.json_api = json_api
        self.answers: list[Answer] = []
        self._lock = threading.Lock()
        self._local = threading.local()

    def _client(self) -> httpx.Client:
        if getattr(self._local, "client", None) is None:
            self._local.client = self.client_factory()
        return self._local.client

    def send(self, label: str, method: str, url: str, *, headers: dict | None = None, content: bytes | None = None,
             content_type: str | None = None) -> Answer:
        hdrs = {k: (v() if callable(v) else v) for k, v in (headers or {}).items()}
        if content_type:
            hdrs["Content-Type"] = content_type
        started = time.monotonic()
        try:
            r = self._client().request(method, url, headers=hdrs, content=content)
            text = r.text[:300]
            try:
                error = r.json().get("error") if r.headers.get("content-type", "").startswith("application/json") \
                    else None
                error = error if isinstance(error, str) else None
            except (ValueError, AttributeError):
                error = None
            answer = Answer(label, method, url[:200], r.status_code, error, text,
                            page=r.headers.get("content-type", "").startswith("text/html"))
        except httpx.HTTPError as exc:
            answer = Answer(label, method, url[:200], None, f"{type(exc).__name__}: {exc}", "")
            self._local.client = None
        answer.seconds = time.monotonic() - started
        with self._lock:
            self.answers.append(answer)
        return answer

    def send_json(self, label: str, route: Route, body, params: dict | None = None, query: str = "") -> Answer:
        url = _fill(route, params or route.good_params) + query
        content = None if body is None else json.dumps(body).encode()
        return self.send(label, route.method, url, headers=route.headers, content=content,
                         content_type="application/json" if content is not None else None)

    def catalogue(self, routes: list[Route], light: bool = False) -> list[tuple]:
        """The fixed part. Every route gets raw bodies (POST/PUT) and bad path parameters, and unless `light` bad
        query values and, in every leaf of its valid body, leaf values; each gets a share of each list, taken
        in turn, so that across the routes every value is sent and one run stays within seconds."""
        jobs, turn = [], 0
        for route in routes:
            url = _fill(route, route.good_params)
            good = json.dumps(route.good_body).encode() if route.good_body is not None else None
            ctype = "application/json" if good else None
            if route.method in ("POST", "PUT"):
                jobs += [(f"body {label}", route.method, url, route.headers, raw, kind)
                         for label, raw, kind in _share(raw_bodies(), turn, 6)]
            for name in route.good_params:
                for value in _share(PATH_VALUES, turn, 5):
                    jobs.append((f"path {name}={value[:12]}", route.method,
                                 _fill(route, {**route.good_params, name: value}), route.headers, good, ctype))
                turn += 1
            turn += 1
            if light:
                continue
            for path in leaf_paths(route.good_body):
                for value in _share(LEAF_VALUES, turn, 2):
                    body = json.dumps(replaced(route.good_body, path, value)).encode()
                    jobs.append((f"body {'.'.join(map(str, path))}={str(value)[:12]!r}", route.method, url,
                                 route.headers, body, "application/json"))
                turn += 1
            for value in _share(QUERY_VALUES, turn, 4):
                jobs.append((f"query *={value[:12]}", route.method,
                             url + "?" + "&".join(f"{n}={value}" for n in QUERY_NAMES), route.headers, good, ctype))
        return jobs

    def run(self, jobs: list[tuple], workers: int = 4) -> None:
        with ThreadPoolExecutor(max_workers=workers) as pool:
            list(pool.map(lambda job: self.send(job[0], job[1], job[2], headers=job[3], content=job[4],
                                                content_type=job[5]), jobs))

    # --- classification --------------------------------------------------------------------------
    def is_documented(self, answer: Answer) -> bool:
        return any(answer.status == status and (answer.error or "").startswith(prefix)
                   for status, prefix in self.documented)

    def findings(self) -> list[Answer]:
        """Undocumented 5xx, transport errors, and JSON-API errors that are not JSON."""
        return [a for a in self.answers if self._crashed(a) or self._not_json(a)]

    def _crashed(self, a: Answer) -> bool:
        return a.status is None or (a.status >= 500 and not self.is_documented(a))

    def _not_json(self, a: Answer) -> bool:
        return self.json_api and a.status >= 400 and a.error is None and bool(a.text.strip()) \
            and not a.page and not a.text.lstrip().startswith("{")

    def fivexx(self) -> int:
        return sum(1 for a in self.answers if a.status is None or a.status >= 500)

    def summary(self) -> str:
        documented: dict = {}
        for a in self.answers:
            if a.status and a.status >= 500 and self.is_documented(a):
                prefix = next(p for s, p in self.documented if a.status == s and (a.error or "").startswith(p))
                documented[prefix] = documented.get(prefix, 0) + 1
        lines = [f"{self.name}: {len(self.answers)} inputs, {self.fivexx()} 5xx/transport errors, "
                 f"{len(self.findings())} findings; documented 5xx: {documented}"]
        seen = set()
        for a in self.findings():
            key = (a.method, a.url.split("?")[0][:60], a.status, (a.error or a.text)[:60])
            if key not in seen:
                seen.add(key)
                lines.append(f"  {a.status} {a.method} {a.url[:90]} [{a.label}] {(a.error or a.text)[:140]!r}")
        lines = lines[:80]
        slow: dict = {}
        for a in self.answers:
            key = (a.method, a.url.split("?")[0][:70])
            slow[key] = slow.get(key, 0.0) + a.seconds
        lines.append("  slowest: " + ", ".join(f"{m} {u} {t:.1f}s" for (m, u), t in
                                               sorted(slow.items(), key=lambda kv: -kv[1])[:6]))
        return "\n".join(lines)


def disconnect_mid_body(host: str, port: int, path: str, context: ssl.SSLContext | None = None) -> None:
    """Announce a 1000-byte body, send 10 bytes, close the connection."""
    raw = socket.create_connection((host, port), 5)
    sock = context.wrap_socket(raw, server_hostname="localhost") if context else raw
    try:
        sock.sendall(f"POST {path} HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                     "Content-Length: 1000\r\n\r\n{\"email\":".encode())
    finally:
        sock.close()
