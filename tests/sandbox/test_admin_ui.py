"""The Admin UI (`sandbox/admin_ui`) in a real Chromium, against a small in-memory fake of the CP
admin API mounted the way the CP mounts the UI (`/admin/api` routes + `StaticFiles(html=True)` at
`/admin`). Checks what the page objects of the suite rely on: roles, names, counters, navigation
and which API number each screen value is. Skipped when no Chromium is available."""
from __future__ import annotations

import copy
import os
import re
import socket
import threading
import time
from pathlib import Path

import pytest

playwright_api = pytest.importorskip("playwright.sync_api")
uvicorn = pytest.importorskip("uvicorn")
from starlette.applications import Starlette  # noqa: E402
from starlette.responses import JSONResponse, Response  # noqa: E402
from starlette.routing import Mount, Route  # noqa: E402
from starlette.staticfiles import StaticFiles  # noqa: E402

UI_DIR = Path(__file__).resolve().parents[2] / "sandbox" / "admin_ui"
EXP, IMP, OTHER = ("fd1a88a9-3a01-43bb-ae20-32618c1b3752", "2a6f8e2c-874c-4476-aac3-0d535fb52ac7",
                   "0b7e1c2d-0000-4000-8000-000000000003")
TOKEN = "good-token"
EXPECT_MS = 5000


def _chromium() -> tuple[dict, str] | None:
    """The Chromium the suite would take (support/ui/browser.py: Playwright's own, XPORY_BROWSER_PATH, the
    system's headless shell, the system's full browser)."""
    from support.errors import SuiteSetupError
    from support.ui.browser import resolve_browser

    with playwright_api.sync_playwright() as p:
        bundled = p.chromium.executable_path
    try:
        choice = resolve_browser(bundled, os.environ.get("XPORY_BROWSER_PATH"))
    except SuiteSetupError:
        return None
    return ({"executable_path": choice.executable} if choice.executable else {}), choice.path


# --- the fake CP admin API ------------------------------------------------------------------------

def initial_state() -> dict:
    trades = [
        {"tradeId": "t-1", "status": "CONFIRMED", "wlExporter": EXP, "wlImporter": IMP, "offerName": "Cesta Alimentação",
         "totalValue": 100.5, "createdAt": "2026-01-06T12:00:00Z", "wlExporterName": "wl-exporter",
         "wlImporterName": "wl-importer"},
        {"tradeId": "t-2", "status": "PENDING", "wlExporter": EXP, "wlImporter": IMP, "offerName": None,
         "totalValue": 20, "createdAt": "2026-01-06T12:01:00Z"},
        {"tradeId": "t-3", "status": "PENDING", "wlExporter": IMP, "wlImporter": EXP, "offerName": "Outra",
         "totalValue": 7, "createdAt": "2026-01-06T12:02:00Z"},
    ]
    pending = [
        {"tradeId": "p-1", "originWhiteLabelId": EXP, "targetWhiteLabelId": IMP, "originOfferId": 10001,
         "requestedQuantity": 1, "totalValue": 10, "status": "PENDING", "eventTimestamp": "2026-01-06T12:00:00Z"},
        {"tradeId": "p-2", "originWhiteLabelId": EXP, "targetWhiteLabelId": IMP, "originOfferId": 10002,
         "requestedQuantity": 2, "totalValue": 30, "status": "PENDING", "eventTimestamp": "2026-01-06T12:00:01Z"},
        {"tradeId": "p-3", "originWhiteLabelId": EXP, "targetWhiteLabelId": IMP, "originOfferId": 10003,
         "requestedQuantity": 1, "totalValue": 5, "status": "PENDING", "eventTimestamp": "2026-01-06T12:00:02Z"},
    ]
    notifications = [
        {"id": "n-1", "type": "TRADE_NEW", "title": "Novo trade", "message": "wl-exporter -> wl-importer | 100.50",
         "action": {"type": "OPEN_TRADES", "payload": {"sourceId": EXP, "targetId": IMP}}, "tradeId": "t-1",
         "originWhiteLabelId": EXP, "targetWhiteLabelId": IMP, "createdAt": "2026-01-06T12:00:00Z", "readAt": None},
        {"id": "n-2", "type": "TRADE_PENDING", "title": "Trade pendente", "message": "wl-exporter -> wl-importer | 10.00",
         "action": {"type": "OPEN_PENDING_TRADES", "payload": {"sourceId": EXP, "targetId": IMP}}, "tradeId": "p-1",
         "originWhiteLabelId": EXP, "targetWhiteLabelId": IMP, "createdAt": "2026-01-06T12:01:00Z", "readAt": None},
        {"id": "n-3", "type": "LIMIT_WARNING", "title": "Limite proximo", "message": "70%",
         "action": {"type": "OPEN_RELATIONSHIP", "payload": {"sourceId": EXP, "targetId": IMP}}, "tradeId": None,
         "originWhiteLabelId": EXP, "targetWhiteLabelId": IMP, "createdAt": "2026-01-06T12:02:00Z",
         "readAt": "2026-01-06T12:03:00Z"},
    ]
    rel = {"status": "active", "fxRate": 1, "limitAmount": 100000, "approvalMode": "MANUAL",
           "updatedAt": "2026-01-06T12:00:00Z"}
    relationships = {
        (EXP, IMP): dict(rel, sourceId=EXP, targetId=IMP, export_policy={
            "enabled": True, "min_created_at": "2000-01-01T00:00:00Z", "include_categories": [],
            "exclude_categories": ["15"], "entity_allowlist": [], "entity_blocklist": []}),
        (IMP, EXP): dict(rel, sourceId=IMP, targetId=EXP, fxRate=1.5, limitAmount=500, export_policy=None),
    }
    return {"trades": trades, "pending": pending, "notifications": notifications, "relationships": relationships,
            "decided": set(), "calls": []}


def build_app(state: dict) -> Starlette:
    def bearer_ok(request) -> Response | None:
        auth = request.headers.get("authorization", "")
        if not auth.lower().startswith("bearer "):
            return JSONResponse({"error": "Missing bearer token"}, 401)
        if auth[7:] != TOKEN:
            return JSONResponse({"error": "Invalid token"}, 401)
        return None

    def guarded(fn):
        async def endpoint(request):
            denied = bearer_ok(request)
            return denied or await fn(request)
        return endpoint

    async def login(request):
        body = await request.json()
        if body.get("email") == "master@xpory.local" and body.get("password") == "changeit":
            return JSONResponse({"token": TOKEN, "expiresInSeconds": 3600,
                                 "user": {"id": "u-1", "email": "master@xpory.local", "role": "MASTER"}})
        return JSONResponse({"error": "Invalid credentials"}, 401)

    async def wls(request):
        items = [{"id": EXP, "name": "wl-exporter"}, {"id": IMP, "name": "wl-importer"},
                 {"id": OTHER, "name": "wl-sem-parceiro"}]
        return JSONResponse({"items": items, "count": len(items)})

    async def trades(request):
        q = request.query_params
        items = [t for t in state["trades"]
                 if (not q.get("sourceId") or t["wlExporter"] == q["sourceId"])
                 and (not q.get("targetId") or t["wlImporter"] == q["targetId"])]
        state["calls"].append(("GET /trades", dict(q)))
        return JSONResponse({"items": items, "count": len(items), "limit": 50, "offset": 0})

    async def details(request):
        tid = request.path_params["tid"]
        full = tid in ("t-1", "p-1")
        side = (lambda name, phone: {"clientName": name, "clientPhone": phone, "wlName": "wl"}) if full else \
            (lambda name, phone: {"clientName": None, "clientPhone": None})
        return JSONResponse({"tradeId": tid, "offerName": "Cesta Alimentação" if full else None,
                             "importer": side("Comprador SA", "+55 11 90000-0002"),
                             "exporter": side("Vendedor Ltda", "+55 11 90000-0001")})

    async def pending(request):
        q = request.query_params
        state["calls"].append(("GET /trades/pending", dict(q)))
        items = [t for t in state["pending"] if t["tradeId"] not in state["decided"]]
        return JSONResponse({"items": items, "count": len(items)})

    async def decide(request):
        tid, action = request.path_params["tid"], request.path_params["action"]
        body = await request.json() if await request.body() else None
        state["calls"].append((f"POST {action}", tid, body))
        if tid in state["decided"]:
            return JSONResponse({"error": "trade already decided"}, 409)
        state["decided"].add(tid)
        after = "CONFIRMED" if action == "approve" else "REJECTED"
        return JSONResponse({"approval": {"tradeId": tid, "decision": "APPROVED" if action == "approve" else "REJECTED",
                                          "reason": (body or {}).get("reason"), "statusAfter": after,
                                          "createdAt": "2026-01-07T10:00:00Z"},
                             "exporter": {"statusCode": 200, "statusAfter": after}})

    async def notifications(request):
        items = state["notifications"]
        return JSONResponse({"items": items, "count": len(items), "limit": 50, "offset": 0})

    async def unread(request):
        return JSONResponse({"count": sum(1 for n in state["notifications"] if not n["readAt"])})

    async def read(request):
        for n in state["notifications"]:
            if n["id"] == request.path_params["nid"]:
                n["readAt"] = n["readAt"] or "2026-01-07T10:00:00Z"
                return JSONResponse({"id": n["id"], "readAt": n["readAt"]})
        return JSONResponse({"error": "notification not found"}, 404)

    async def relationships(request):
        items = [dict(r, export_policy=copy.deepcopy(r["export_policy"])) for r in state["relationships"].values()]
        return JSONResponse({"items": items, "count": len(items)})

    async def put_relationship(request):
        src, dst = request.path_params["src"], request.path_params["dst"]
        body = await request.json()
        state["calls"].append(("PUT relationship", src, dst, body))
        current = state["relationships"].get((src, dst), {"sourceId": src, "targetId": dst, "export_policy": None})
        current.update({k: body[k] for k in ("status", "fxRate", "limitAmount", "approvalMode") if k in body})
        if "export_policy" in body:
            current["export_policy"] = body["export_policy"]
        state["relationships"][(src, dst)] = current
        return JSONResponse(current)

    async def categories(request):
        items = [{"categoryId": "15", "name": "Alimentação", "activeCount": 61},
                 {"categoryId": "22", "name": "Serviços", "activeCount": 7},
                 {"categoryId": "1029401", "name": "Inativos", "activeCount": 0}]
        return JSONResponse({"items": items, "count": len(items)})

    async def entities(request):
        items = [{"entityId": "7739330", "name": "A3Negocios", "activeOffersCount": 3},
                 {"entityId": "100", "name": "Beta Comércio", "activeOffersCount": 12}]
        return JSONResponse({"items": items, "count": len(items)})

    async def balance(request):
        # wlAId is the lexicographically smaller id: IMP ("2a6f…") < EXP ("fd1a…").
        metrics = lambda c, p, r, total: {"counts": {"CONFIRMED": c, "PENDING": p, "REJECTED": r, "UNKNOWN": 0},  # noqa: E731
                                          "totals": {"CONFIRMED": total, "PENDING": 0, "REJECTED": 0, "UNKNOWN": 0},
                                          "settled": {"count": 0, "total": 0}, "lastTradeAt": None}
        pair = {"wlAId": IMP, "wlBId": EXP, "availability": {"hasAToB": True, "hasBToA": True},
                "relationships": {"aToB": {"sourceId": IMP, "targetId": EXP, "fxRate": 1.5, "limitAmount": 500,
                                           "status": "active"},
                                  "bToA": {"sourceId": EXP, "targetId": IMP, "fxRate": 1, "limitAmount": 100000,
                                           "status": "active"}},
                "tradeMetrics": {"aToB": metrics(1, 2, 0, 40), "bToA": metrics(3, 5, 2, 300.25)},
                "totals": {"totalExported": 40, "totalImported": 300.25, "balance": -260.25},
                "lastTradeAt": "2026-01-06T12:02:00Z"}
        state["calls"].append(("GET balance", dict(request.query_params)))
        return JSONResponse({"filters": {"reportVersion": "v1"}, "relationships": [pair], "count": 1})

    async def me(request):
        return JSONResponse({"id": "u-1", "email": "master@xpory.local", "role": "MASTER", "status": "active"})

    api = [
        Route("/auth/login", login, methods=["POST"]),
        Route("/users/me", guarded(me)),
        Route("/wls", wls),
        Route("/wls/{wl}/offer-categories", categories),
        Route("/wls/{wl}/entities", entities),
        Route("/relationships", relationships),
        Route("/relationships/{src}/{dst}", put_relationship, methods=["PUT"]),
        Route("/trades", trades),
        Route("/trades/pending", guarded(pending)),
        Route("/trades/{tid}/details", guarded(details)),
        Route("/trades/{tid}/{action:str}", guarded(decide), methods=["POST"]),
        Route("/notifications", guarded(notifications)),
        Route("/notifications/unread-count", guarded(unread)),
        Route("/notifications/{nid}/read", guarded(read), methods=["POST"]),
        Route("/reports/trade-balance", balance),
    ]
    return Starlette(routes=[Mount("/admin/api", routes=api),
                             Mount("/admin", app=StaticFiles(directory=str(UI_DIR), html=True))])


# --- fixtures ------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def browser():
    found = _chromium()
    if found is None:
        pytest.skip("no Chromium for Playwright (set XPORY_BROWSER_PATH)")
    launch, _ = found
    with playwright_api.sync_playwright() as p:
        b = p.chromium.launch(args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                                    "--disable-component-update", "--disable-sync", "--no-first-run"], **launch)
        yield b
        b.close()


@pytest.fixture()
def server():
    state = initial_state()
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    srv = uvicorn.Server(uvicorn.Config(build_app(state), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not srv.started and time.monotonic() < deadline:
        time.sleep(0.02)
    yield f"http://127.0.0.1:{port}/admin", state
    srv.should_exit = True
    thread.join(5)


@pytest.fixture()
def page(browser, server):
    base, state = server
    context = browser.new_context()
    pg = context.new_page()
    pg.set_default_timeout(EXPECT_MS)
    errors: list[str] = []
    pg.on("pageerror", lambda exc: errors.append(str(exc)))
    yield pg, base, state
    context.close()
    assert not errors, errors


def login(pg, base):
    pg.goto(base + "/")
    pg.get_by_label("E-mail").fill("master@xpory.local")
    pg.get_by_label("Senha").fill("changeit")
    pg.get_by_role("button", name="Entrar").click()
    pg.wait_for_url(re.compile(r"/admin/trades$"))


# --- tests ---------------------------------------------------------------------------------------

def test_login_errors_then_trades_and_details(page):
    pg, base, state = page
    expect = playwright_api.expect
    pg.goto(base + "/trades")  # no session yet: back to the login page
    pg.wait_for_url(re.compile(r"/admin/\?next="))
    pg.get_by_label("E-mail").fill("master@xpory.local")
    pg.get_by_label("Senha").fill("errada")
    pg.get_by_role("button", name="Entrar").click()
    expect(pg.get_by_role("alert")).to_have_text("Invalid credentials")
    pg.get_by_label("Senha").fill("changeit")
    pg.get_by_role("button", name="Entrar").click()
    pg.wait_for_url(re.compile(r"/admin/trades$"))
    expect(pg.get_by_role("heading", name="Negociações")).to_be_visible()
    rows = pg.get_by_role("table", name="Lista de negociações").locator("tbody tr")
    expect(rows).to_have_count(3)
    expect(rows.nth(0)).to_contain_text("CONFIRMED")
    expect(rows.nth(0)).to_contain_text("100.50")

    rows.nth(0).get_by_role("button", name="Detalhes").click()
    dialog = pg.get_by_role("dialog", name="Detalhes do trade")
    expect(dialog.get_by_test_id("detail-buyer")).to_have_text("Comprador SA")
    expect(dialog.get_by_test_id("detail-seller-phone")).to_have_text("+55 11 90000-0001")
    expect(dialog.get_by_test_id("detail-offer")).to_have_text("Cesta Alimentação")
    assert "—" not in dialog.inner_text()
    dialog.get_by_role("button", name="Fechar").last.click()
    expect(dialog).to_have_count(0)

    rows.nth(1).get_by_role("button", name="Detalhes").click()
    core = pg.get_by_role("dialog", name="Detalhes do trade").get_by_test_id("trade-details-core")
    expect(core.get_by_test_id("detail-offer")).to_have_text("—")
    expect(core.get_by_test_id("detail-buyer")).to_have_text("—")
    pg.keyboard.press("Escape")

    pg.goto(f"{base}/trades?sourceId={EXP}&targetId={IMP}")
    expect(pg.get_by_role("table", name="Lista de negociações").locator("tbody tr")).to_have_count(2)
    expect(pg.get_by_test_id("active-filters")).to_contain_text("wl-exporter")
    assert ("GET /trades", {"limit": "50", "offset": "0", "sourceId": EXP, "targetId": IMP}) in state["calls"]


def test_approvals_approve_reject_and_conflict(page):
    pg, base, state = page
    expect = playwright_api.expect
    login(pg, base)
    pg.get_by_role("navigation", name="Principal").get_by_role("link", name="Aprovações").click()
    expect(pg.get_by_role("heading", name="Aprovações")).to_be_visible()
    expect(pg.get_by_label("Pendentes")).to_have_text("Pendentes: 3")

    row = pg.locator('tr[data-trade-id="p-1"]')
    row.get_by_role("button", name="Ver detalhes").click()
    expect(pg.get_by_role("dialog", name="Detalhes do trade").get_by_test_id("detail-seller")).to_have_text("Vendedor Ltda")
    pg.keyboard.press("Escape")

    row.get_by_role("button", name="Aprovar").click()
    expect(pg.get_by_label("Pendentes")).to_have_text("Pendentes: 2")
    expect(pg.get_by_role("status")).to_contain_text("CONFIRMED")

    pg.locator('tr[data-trade-id="p-2"]').get_by_role("button", name="Rejeitar").click()
    dialog = pg.get_by_role("dialog", name="Rejeitar trade")
    expect(dialog.get_by_label("Motivo")).to_have_value("")
    dialog.get_by_label("Motivo").fill("MANUAL_REJECT")
    dialog.get_by_role("button", name="Confirmar rejeição").click()
    expect(pg.get_by_label("Pendentes")).to_have_text("Pendentes: 1")
    decided = pg.get_by_role("table", name="Decididos nesta sessão")
    expect(decided.locator('tr[data-trade-id="p-1"] [data-testid="decided-status"]')).to_have_text("CONFIRMED")
    expect(decided.locator('tr[data-trade-id="p-2"] [data-testid="decided-status"]')).to_have_text("REJECTED")
    assert ("POST reject", "p-2", {"reason": "MANUAL_REJECT"}) in state["calls"]
    assert ("POST approve", "p-1", {}) in state["calls"]

    # a decision made elsewhere meanwhile: the stale row answers 409, shown as an alert
    state["decided"].add("p-3")
    pg.locator('tr[data-trade-id="p-3"]').get_by_role("button", name="Aprovar").click()
    expect(pg.get_by_role("alert")).to_contain_text("trade already decided")
    expect(pg.get_by_label("Pendentes")).to_have_text("Pendentes: 0")

    pg.goto(f"{base}/trades/pending?wlExporter={EXP}&wlImporter={IMP}")
    expect(pg.get_by_test_id("active-filters")).to_be_visible()
    assert ("GET /trades/pending", {"wlExporter": EXP, "wlImporter": IMP}) in state["calls"]


def test_notifications_count_refresh_and_navigation(page):
    pg, base, state = page
    expect = playwright_api.expect
    login(pg, base)
    pg.goto(base + "/notifications")
    expect(pg.get_by_role("heading", name="Notificações")).to_be_visible()
    expect(pg.get_by_label("Não lidas")).to_have_text("Não lidas: 2")
    items = pg.get_by_role("list", name="Notificações recentes").get_by_role("listitem")
    expect(items).to_have_count(3)
    expect(items.nth(0)).to_contain_text("Novo trade")
    expect(items.nth(0)).to_contain_text("wl-exporter → wl-importer")
    expect(items.nth(0).locator("time")).to_have_attribute("datetime", "2026-01-06T12:00:00Z")

    state["notifications"][1]["readAt"] = "2026-01-07T09:00:00Z"
    pg.get_by_role("button", name="Atualizar").click()
    expect(pg.get_by_label("Não lidas")).to_have_text("Não lidas: 1")
    state["notifications"][1]["readAt"] = None
    pg.get_by_role("button", name="Atualizar").click()
    expect(pg.get_by_label("Não lidas")).to_have_text("Não lidas: 2")

    items.filter(has_text="Trade pendente").click()
    pg.wait_for_url(f"{base}/trades/pending?wlExporter={EXP}&wlImporter={IMP}")
    assert state["notifications"][1]["readAt"]
    pg.go_back()
    expect(pg.get_by_label("Não lidas")).to_have_text("Não lidas: 1")
    items.filter(has_text="Novo trade").click()
    pg.wait_for_url(f"{base}/trades?sourceId={EXP}&targetId={IMP}")
    pg.go_back()
    items.filter(has_text="Limite proximo").click()
    pg.wait_for_url(f"{base}/relationships?sourceId={EXP}&targetId={IMP}")
    expect(pg.locator('tr[aria-current="true"]')).to_contain_text("wl-exporter → wl-importer")


def test_commercial_balance_values_match_the_report(page):
    pg, base, state = page
    expect = playwright_api.expect
    login(pg, base)
    pg.goto(base + "/commercial-balance")
    expect(pg.get_by_role("heading", name="Balança comercial")).to_be_visible()
    pg.get_by_label("WL origem").select_option(label="wl-exporter")
    # only partners with a relationship to/from the origin (not wl-sem-parceiro, not the origin)
    expect(pg.get_by_label("WL destino").locator("option")).to_have_text(["Selecione…", "wl-importer"])
    pg.get_by_label("WL destino").select_option(label="wl-importer")
    pg.get_by_role("button", name="Buscar").click()
    expect(pg.get_by_test_id("count-CONFIRMED")).to_have_text("4")   # 1 (aToB) + 3 (bToA)
    expect(pg.get_by_test_id("count-PENDING")).to_have_text("7")
    expect(pg.get_by_test_id("count-REJECTED")).to_have_text("2")
    # origem = wl-exporter = wlBId: its direction is bToA
    expect(pg.get_by_test_id("rel-status")).to_have_text("active")
    expect(pg.get_by_test_id("rel-fx")).to_have_text("1")
    expect(pg.get_by_test_id("rel-limit")).to_have_text("100000.00")
    expect(pg.get_by_test_id("rel-reverse-fx")).to_have_text("1.5")
    expect(pg.get_by_test_id("total-origin-exported")).to_have_text("300.25")
    expect(pg.get_by_test_id("total-origin-imported")).to_have_text("40.00")
    expect(pg.get_by_test_id("total-origin-balance")).to_have_text("260.25")
    expect(pg.get_by_test_id("total-totalExported")).to_have_attribute("data-value", "40")
    expect(pg.get_by_test_id("total-totalImported")).to_have_attribute("data-value", "300.25")
    expect(pg.get_by_test_id("total-balance")).to_have_attribute("data-value", "-260.25")
    expect(pg.locator('[data-testid="balance-chart"] [data-status="PENDING"]')).to_have_attribute("data-value", "7")
    expect(pg.get_by_text("Confirmadas", exact=True)).to_have_count(1)
    assert ("GET balance", {"wlExporter": EXP, "wlImporter": IMP}) in state["calls"]
    assert pg.url.endswith(f"/commercial-balance?wlExporter={EXP}&wlImporter={IMP}")


def test_relationships_edit_policy_and_create(page):
    pg, base, state = page
    expect = playwright_api.expect
    login(pg, base)
    pg.goto(base + "/relationships")
    expect(pg.get_by_role("heading", name="Relacionamentos")).to_be_visible()
    rows = pg.get_by_role("table", name="Lista de relacionamentos").locator("tbody tr")
    expect(rows).to_have_count(2)
    rows.filter(has_text="wl-exporter → wl-importer").get_by_role("button", name="Editar").click()
    dialog = pg.get_by_role("dialog", name="Editar relacionamento")
    categories = dialog.get_by_role("region", name="Categorias")
    entities = dialog.get_by_role("region", name="Entidades")
    expect(categories.get_by_role("checkbox", name="Alimentação 61", exact=True)).to_be_visible()
    expect(entities.get_by_role("checkbox", name="A3Negocios 3", exact=True)).to_be_visible()
    dialog.get_by_label("Buscar categorias").fill("servi")
    expect(categories.get_by_role("checkbox")).to_have_count(1)
    categories.get_by_role("checkbox", name="Serviços 7", exact=True).check()
    dialog.get_by_label("Buscar categorias").fill("")
    expect(categories.get_by_role("checkbox")).to_have_count(3)
    entities.get_by_role("checkbox", name="A3Negocios 3", exact=True).check()
    dialog.get_by_label("Limite (limitAmount)").fill("2500")
    dialog.get_by_role("button", name="Salvar").click()
    expect(pg.get_by_role("status")).to_have_text("Relacionamento salvo com sucesso")
    put = [c for c in state["calls"] if c[0] == "PUT relationship"][-1]
    assert put[1:3] == (EXP, IMP)
    body = put[3]
    assert body["limitAmount"] == 2500 and body["status"] == "active" and body["fxRate"] == 1
    assert body["export_policy"] == {"enabled": True, "min_created_at": "2000-01-01T00:00:00Z",
                                     "include_categories": ["22"], "exclude_categories": ["15"],
                                     "entity_allowlist": ["7739330"], "entity_blocklist": []}

    pg.get_by_role("button", name="Novo").click()
    dialog = pg.get_by_role("dialog", name="Novo relacionamento")
    dialog.get_by_label("WL origem").select_option(label="wl-exporter")
    dialog.get_by_label("WL destino").select_option(label="wl-sem-parceiro")
    expect(dialog.get_by_role("region", name="Categorias").get_by_role("checkbox")).to_have_count(3)
    dialog.get_by_label("Status").select_option("paused")
    dialog.get_by_role("button", name="Salvar").click()
    # The first save's toast (same text) is still on screen for 8 s: the dialog closes only once this PUT answered.
    expect(dialog).to_be_hidden()
    expect(pg.get_by_role("status")).to_have_text("Relacionamento salvo com sucesso")
    put = [c for c in state["calls"] if c[0] == "PUT relationship"][-1]
    assert put[1:3] == (EXP, OTHER) and put[3]["status"] == "paused" and "export_policy" not in put[3]
    expect(rows).to_have_count(3)


def test_invalid_token_sends_back_to_login_with_banner(page):
    pg, base, _state = page
    expect = playwright_api.expect
    login(pg, base)
    pg.evaluate("sessionStorage.setItem('xporyAdmin.token', 'expired')")
    pg.goto(base + "/relationships")  # only CERT routes here: the /users/me check notices the token
    pg.wait_for_url(re.compile(r"/admin/\?next=%2Fadmin%2Frelationships"))
    expect(pg.get_by_role("alert")).to_contain_text("Invalid token")
    pg.get_by_label("E-mail").fill("master@xpory.local")
    pg.get_by_label("Senha").fill("changeit")
    pg.get_by_role("button", name="Entrar").click()
    pg.wait_for_url(re.compile(r"/admin/relationships$"))
