"""The importer's storefront (`settings.storefront_port`): server-rendered HTML + a little JS.

Pages (texts in pt-BR, accessible roles for Playwright):
  /entrar           sign-in form: "Conta" (account id), "Token", button "Entrar"
                    (also `?accountId=..&token=..` on any page signs in directly)
  /                 "Ofertas importadas": links to each eligible, enabled imported offer
  /oferta/{offerId} offer page (offerId = imported_offer.offer_id), button "Comprar"
  /sair             sign out
  POST /api/comprar the page's purchase call (JSON {offerId, quantity}); runs the importer's buy-offer
                    (preflight + checkout in one request) for the signed-in account.
Outcomes on the offer page: PRICE_CHANGED -> dialog (role "dialog") with the message and a button
"Atualizar página" that reloads; OUT_OF_STOCK and other refusals -> role "alert"; success -> role "status".
"""
from __future__ import annotations

import html
import json
from decimal import Decimal
from urllib.parse import quote

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse
from starlette.routing import Route

from ..inputs import INT32_MAX, InputGuard, bounded_int
from ..personality import current as current_personality
from . import buying
from .errors import HANDLERS, ApiError, JSONResponse, form_fields, json_body

COOKIE = "xpory_session"
PAGE_SIZE = 50

CSS = """
body{font-family:system-ui,sans-serif;margin:0;background:#f5f6f8;color:#1d2430}
header{background:#0b5cad;color:#fff;padding:12px 24px;display:flex;justify-content:space-between;align-items:center}
header a{color:#fff} main{max-width:960px;margin:24px auto;padding:0 16px}
.card{background:#fff;border-radius:8px;padding:16px 20px;margin-bottom:12px;box-shadow:0 1px 2px #0002}
ul.offers{list-style:none;padding:0} ul.offers li{background:#fff;margin:6px 0;padding:10px 14px;border-radius:6px;
display:flex;justify-content:space-between} .price{font-weight:600}
button{background:#0b5cad;color:#fff;border:0;border-radius:6px;padding:10px 18px;font-size:1rem;cursor:pointer}
button[disabled]{opacity:.6} [role=alert]{background:#fde8e8;color:#8a1c1c;padding:10px 14px;border-radius:6px;margin-top:12px}
[role=status]{margin-top:12px} .backdrop{position:fixed;inset:0;background:#0007;display:flex;align-items:center;
justify-content:center} .backdrop[hidden]{display:none}
[role=dialog]{background:#fff;padding:24px;border-radius:10px;max-width:420px}
label{display:block;margin-top:10px} input{padding:8px;font-size:1rem;width:260px}
"""


def brl(value) -> str:
    q = Decimal(str(value)).quantize(Decimal("0.01"))
    text = f"{q:,.2f}".replace(",", "_").replace(".", ",").replace("_", ".")
    return f"X$ {text}"


def _p():
    """This process's personality, read when it is used (the launcher imports this module before it forks the
    WL, whose environment names the personality: sandbox/forked.py)."""
    return current_personality()


def _sign_in() -> str:
    return _p().store_routes["sign_in"]


def _offer_prefix() -> str:  # + the offer's id (imported_offer.<personality's store_offer_id>)
    return _p().store_routes["offer"]
# The runbook's modal and alert texts (lines 305 and 310: UI facts); the buy-offer API's msg is the personality's.
PRICE_CHANGED_TEXT = "O preço desta oferta foi atualizado. Atualize a página e tente novamente."
OUT_OF_STOCK_TEXT = "Oferta esgotada."


def _signed_in(account: dict) -> str:
    return html.escape(_p().label("store.signed_in", "conta {conta}").replace("{conta}", str(account["id"])))


def page(title: str, body: str, account: dict | None = None, status: int = 200) -> HTMLResponse:
    who = (f'<span>{html.escape(account["name"])} ({_signed_in(account)}) · <a href="/sair">Sair</a></span>'
           if account else f'<a href="{_sign_in()}">{html.escape(_p().label("store.submit", "Entrar"))}</a>')
    return HTMLResponse(
        f'<!doctype html><html lang="pt-BR"><head><meta charset="utf-8"><title>{html.escape(title)} · XporY</title>'
        f'<meta name="viewport" content="width=device-width, initial-scale=1"><style>{CSS}</style></head>'
        f'<body><header><a href="/"><strong>XporY</strong> Loja</a>{who}</header><main>{body}</main></body></html>',
        status_code=status)


def _session(request: Request, state) -> dict | None:
    raw = request.cookies.get(COOKIE, "")
    if ":" not in raw:
        return None
    raw_id, token = raw.split(":", 1)
    account_id = bounded_int(raw_id, 1)
    if account_id is None or "\x00" in token:
        return None
    row = state.db.one("SELECT id, name, email, token, status FROM account WHERE id=%s", (account_id,))
    if row is None or row["token"] != token or (row["status"] or "").upper() != "ACTIVE":
        return None
    return {"id": row["id"], "name": row["name"], "token": token}


def _login_from_query(request: Request, state):
    q = request.query_params
    if q.get("accountId") and q.get("token"):
        account_id = bounded_int(q["accountId"], 1)
        if account_id is None:
            return None
        row = state.db.one("SELECT id, token FROM account WHERE id=%s", (account_id,))
        if row and row["token"] == q["token"]:
            target = request.url.path
            resp = RedirectResponse(target, status_code=303)
            resp.set_cookie(COOKIE, f"{row['id']}:{row['token']}", httponly=True, samesite="lax")
            return resp
    return None


def _login_page(error: str | None = None, next_url: str = "/", account_id: str = "") -> HTMLResponse:
    alert = f'<p role="alert">{html.escape(error)}</p>' if error else ""
    p = _p()
    submit = html.escape(p.label("store.submit", "Entrar"))
    account_label, token_label = html.escape(p.label("store.account", "Conta")), html.escape(p.label("store.token", "Token"))
    return page(submit, (
        f'<div class="card"><h1>{submit}</h1>'
        f'<form method="post" action="{_sign_in()}"><input type="hidden" name="next" value="{html.escape(next_url)}">'
        f'<label for="accountId">{account_label}</label><input id="accountId" name="accountId" inputmode="numeric" '
        f'autocomplete="username" value="{html.escape(account_id)}" required>'
        f'<label for="token">{token_label}</label>'
        '<input id="token" name="token" type="password" autocomplete="current-password" required>'
        f'<p><button type="submit">{submit}</button></p></form>{alert}</div>'), status=401 if error else 200)


def _safe_next(value: str | None) -> str:
    return value if value and value.startswith("/") and not value.startswith("//") else "/"


def _login_get(request: Request):
    return _login_page(next_url=_safe_next(request.query_params.get("next")))


async def login_post(request: Request):
    try:
        return await _login_post(request)
    except ApiError as exc:
        return _login_page(exc.message)


async def _login_post(request: Request):
    form = form_fields(await request.body())
    state = request.app.state.wl
    account_id = str(form.get("accountId") or "").strip()
    token = str(form.get("token") or "").strip()
    next_url = _safe_next(form.get("next"))
    number = bounded_int(account_id, 1)
    if number is None or not token:
        return _login_page("Informe a conta (número) e o token.", next_url, account_id)
    row = await run_in_threadpool(state.db.one, "SELECT id, token, status FROM account WHERE id=%s", (number,))
    if row is None or row["token"] != token:
        return _login_page("Conta ou token inválido.", next_url, account_id)
    if (row["status"] or "").upper() != "ACTIVE":
        return _login_page("Conta inativa.", next_url, account_id)
    resp = RedirectResponse(next_url, status_code=303)
    resp.set_cookie(COOKIE, f"{row['id']}:{row['token']}", httponly=True, samesite="lax")
    return resp


def logout(request: Request):
    resp = RedirectResponse(_sign_in(), status_code=303)
    resp.delete_cookie(COOKIE)
    return resp


def _home(request: Request):
    state = request.app.state.wl
    quick = _login_from_query(request, state)
    if quick:
        return quick
    account = _session(request, state)
    if account is None:
        return RedirectResponse(f"{_sign_in()}?next=/", status_code=303)
    number = min(bounded_int(request.query_params.get("pagina", "1"), 1) or 1, INT32_MAX // PAGE_SIZE)
    term = (request.query_params.get("q") or "").strip()
    where = "eligible AND lifecycle_status='ENABLED'" + (" AND title ILIKE %s" if term else "")
    params = (f"%{term}%",) if term else ()
    total = state.db.one(f"SELECT count(*) AS n FROM imported_offer WHERE {where}", params)["n"]
    rows = state.db.all(f"SELECT id, offer_id, title, display_price, offers_available, entity_name FROM imported_offer"
                        f" WHERE {where} ORDER BY offer_id LIMIT %s OFFSET %s", (*params, PAGE_SIZE, (number - 1) * PAGE_SIZE))
    items = "".join(
        f'<li><a href="{_offer_prefix()}{r[_p().store_offer_id]}">{html.escape(r["title"])}</a>'
        f'<span class="price">{brl(r["display_price"])}</span></li>' for r in rows)
    nav = []
    if number > 1:
        nav.append(f'<a href="/?pagina={number - 1}&q={quote(term)}">Anterior</a>')
    if number * PAGE_SIZE < total:
        nav.append(f'<a href="/?pagina={number + 1}&q={quote(term)}">Próxima</a>')
    body = (f'<h1>Ofertas importadas</h1><form method="get" action="/" role="search">'
            f'<label for="q">Buscar</label><input id="q" name="q" value="{html.escape(term)}"> '
            f'<button type="submit">Buscar</button></form>'
            f'<p>{total} ofertas</p><ul class="offers" aria-label="Ofertas">{items or "<li>Nenhuma oferta importada.</li>"}</ul>'
            f'<nav aria-label="Paginação">{" · ".join(nav)}</nav>')
    return page("Ofertas importadas", body, account)


OFFER_JS = """
const buy = document.getElementById('buy');
const result = document.getElementById('result');
const modal = document.getElementById('price-modal');
function showAlert(text){
  let el = document.getElementById('purchase-alert');
  if(!el){ el = document.createElement('div'); el.id='purchase-alert'; el.setAttribute('role','alert');
           if (ALERT_NAME) { el.setAttribute('aria-label', ALERT_NAME); }
           buy.parentElement.appendChild(el); }
  el.textContent = text;
}
function showModal(text){
  document.getElementById('price-modal-text').textContent = text;
  modal.hidden = false; document.getElementById('reload').focus();
}
document.getElementById('reload').addEventListener('click', () => window.location.reload());
buy.addEventListener('click', async () => {
  buy.disabled = true; result.textContent = 'Processando a compra…';
  const old = document.getElementById('purchase-alert'); if(old){ old.remove(); }
  let data = {};
  try {
    const r = await fetch('/api/comprar', {method:'POST', headers:{'Content-Type':'application/json'},
      body: JSON.stringify({offerId: buy.dataset.offerId, quantity: document.getElementById('quantity').value})});
    try { data = await r.json(); } catch(e) { data = {msg: 'Resposta inválida do servidor.'}; }
  } catch(e) { data = {msg: 'Não foi possível contatar a loja.'}; }
  buy.disabled = false; result.textContent = '';
  if (data.reason === 'PRICE_CHANGED') { showModal(PRICE_CHANGED_TEXT); }
  else if (data.reason === 'OUT_OF_STOCK') { showAlert(OUT_OF_STOCK_TEXT); }
  else if (data.ok) { result.textContent = data.msg + ' Pedido ' + data.tradeId + ' (' + data.status + ').'; }
  else { showAlert(data.msg || data.error || 'Não foi possível concluir a compra.'); }
});
"""


def _offer(request: Request):
    state = request.app.state.wl
    quick = _login_from_query(request, state)
    if quick:
        return quick
    account = _session(request, state)
    offer_id = bounded_int(request.path_params["offer_id"], 1)
    if offer_id is None:
        return page("Oferta não encontrada", '<h1>Oferta não encontrada</h1><p role="alert">Identificador inválido.</p>',
                    account, status=404)
    if account is None:
        return RedirectResponse(f"{_sign_in()}?next={_offer_prefix()}{offer_id}", status_code=303)
    offer = state.db.one(f"SELECT * FROM imported_offer WHERE {'id' if _p().store_offer_id == 'id' else 'offer_id'}=%s",
                         (offer_id,))
    if offer is None:
        return page("Oferta não encontrada", '<h1>Oferta não encontrada</h1><p><a href="/">Voltar às ofertas</a></p>',
                    account, status=404)
    buyable = offer["eligible"] and offer["lifecycle_status"] == "ENABLED"
    body = (
        f'<p><a href="/">← Ofertas importadas</a></p><article class="card"><h1>{html.escape(offer["title"])}</h1>'
        f'<p>{html.escape(offer["description"] or "")}</p>'
        f'<p>Preço: <span class="price" data-testid="price">{brl(offer["display_price"])}</span></p>'
        f'<p>Vendedor: {html.escape(offer["entity_name"] or "")} · Categoria: {html.escape(offer["category_name"] or "")}</p>'
        f'<p>Disponível: {offer["offers_available"] if offer["offers_available"] is not None else "—"}</p>'
        f'<label for="quantity">Quantidade</label><input id="quantity" name="quantity" type="number" min="1" value="1">'
        f'<p><button type="button" id="buy" data-offer-id="{offer["offer_id"]}"'
        f'{"" if buyable else " disabled"}>{html.escape(_p().label("store.buy", "Comprar"))}</button></p>'
        f'<div id="result" role="status" aria-live="polite"></div></article>'
        '<div class="backdrop" id="price-modal" hidden><div role="dialog" aria-modal="true" '
        'aria-labelledby="price-modal-title" aria-describedby="price-modal-text">'
        f'<h2 id="price-modal-title">{html.escape(_p().label("store.price_dialog", "Preço atualizado"))}</h2>'
        '<p id="price-modal-text"></p>'
        f'<button type="button" id="reload">{html.escape(_p().label("store.reload", "Atualizar página"))}</button></div></div>'
        f'<script>const PRICE_CHANGED_TEXT = {json.dumps(PRICE_CHANGED_TEXT)};'
        f'const OUT_OF_STOCK_TEXT = {json.dumps(OUT_OF_STOCK_TEXT)};'
        f'const ALERT_NAME = {json.dumps(_p().label("store.alert", ""))};{OFFER_JS}</script>')
    return page(offer["title"], body, account)


async def comprar(request: Request):
    state = request.app.state.wl
    account = await run_in_threadpool(_session, request, state)
    if account is None:
        return JSONResponse({"ok": False, "status": "ERROR", "msg": "Entre com sua conta para comprar.",
                             "error": "Not signed in"}, status_code=401)
    try:
        body = await json_body(request, required=True)
        form = {"accountId": account["id"], "token": account["token"], "offerId": body.get("offerId"),
                "quantity": body.get("quantity") or 1, "paymentParams": json.dumps({"paymentType": "balanceAccount"})}
        status, answer = await run_in_threadpool(buying._buy_offer, state, form)
    except ApiError as exc:
        return buying.legacy_error(exc)
    return JSONResponse(answer, status_code=status)


async def home(request: Request):
    return await run_in_threadpool(_home, request)


async def offer_page(request: Request):
    return await run_in_threadpool(_offer, request)


async def login_get(request: Request):
    return _login_get(request)


async def not_found(request: Request, exc):
    if request.url.path.startswith("/api/"):
        return JSONResponse({"error": "Not found"}, status_code=404)
    return page("Página não encontrada", '<h1>Página não encontrada</h1><p><a href="/">Voltar às ofertas</a></p>',
                status=404)


def build(state) -> Starlette:
    routes = [
        Route("/", home),
        Route(_sign_in(), login_get, methods=["GET"]),
        Route(_sign_in(), login_post, methods=["POST"]),
        Route("/sair", logout),
        Route(_offer_prefix() + "{offer_id}", offer_page),
        Route("/api/comprar", comprar, methods=["POST"]),
        Route("/api/v1/buy-offer", buying.buy_offer, methods=["POST"]),
        Route("/health", lambda r: JSONResponse({"ok": True, "service": "storefront"})),
    ]
    app = Starlette(routes=routes, exception_handlers={**HANDLERS, 404: not_found},
                    middleware=[Middleware(InputGuard, render=refusal, routes=routes)])
    app.state.wl = state
    return app


def refusal(scope: dict, status: int, message: str):
    """The input layer's answer (`sandbox.inputs.InputGuard`): JSON under /api/, a page elsewhere."""
    if scope.get("path", "").startswith("/api/"):
        return JSONResponse({"ok": False, "status": "ERROR", "msg": message, "error": message}, status_code=status)
    return page("Pedido inválido", f'<h1>Pedido inválido</h1><p role="alert">{html.escape(message)}</p>'
                '<p><a href="/">Voltar às ofertas</a></p>', status=status)
