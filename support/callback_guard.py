"""The exporter posts its decision callback only to the gateway the CP holds for the importer, never to a
URL a purchase body names (issue 12, item 3; sandbox/DIVERGENCES.md #18): otherwise any peer with a peer
token could make the exporter post trade data, with a peer token of the exporter's, wherever it likes.

How the scenario proves it, and what makes the proof mean something:
- the suite opens its own small HTTP listener (here, never the sandbox's code) on the address the map says
  the exporter reaches this machine at (`wl.exporter.callback.suite_host`); unknown there (a real stack
  whose exporter runs elsewhere: its loopback is not ours), the scenario is skipped naming the entry,
  because a listener the exporter cannot reach would receive nothing whatever the exporter does;
- the listener answers a request of the suite's own first (the control: it is up and records);
- the suite, with a genuine importer peer token, buys at the exporter naming a real pending importer
  trade and the listener's URL as callback URL (field names from the map), and approves that purchase;
- the wait ends on the evidence that the callback went somewhere else: the exporter records that the
  importer answered it (`wl.exporter.callback.delivered` in `wl.exporter.cross_wl_trade.callback_status`),
  or as soon as the listener receives anything. Not a fixed sleep, and it cannot pass without the
  exporter having called back: no record, no pass.
Limit: an exporter that posted to the gateway first and to the body's URL only after recording it would
slip through the moment the record is read; the last step looks again, but cannot wait for ever.
"""
from __future__ import annotations

import json
import threading
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx

from . import trading, wl_sql
from .expect import expect
from .wait import until
from .wl_shapes import Purchase, dig


@dataclass
class Listener:
    """The suite's HTTP listener: every request it got (method and path only: the exporter would send a
    peer token, which never goes into a report)."""
    server: ThreadingHTTPServer
    url: str
    calls: list[str] = field(default_factory=list)

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def _handler(calls: list[str]):
    class Record(BaseHTTPRequestHandler):
        def _answer(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            if length:
                self.rfile.read(length)
            calls.append(f"{self.command} {self.path}")
            body = json.dumps({"ok": True}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_GET = do_POST = do_PUT = _answer

        def log_message(self, *args) -> None:  # the suite's HTTP log is elsewhere
            return

    return Record


def open_listener(session) -> Listener:
    """Listen on the map's address for this machine as the exporter sees it; check that it records a request
    of the suite's own (then forget it)."""
    host = session.stack_map.value("wl.exporter.callback.suite_host")
    calls: list[str] = []
    server = ThreadingHTTPServer((host, 0), _handler(calls))
    # a short poll interval: shutdown() waits for the loop's next poll (0.5 s by default)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, name="suite-callback-listener",
                     daemon=True).start()
    listener = Listener(server, f"http://{host}:{server.server_address[1]}", calls)
    try:
        control = httpx.post(f"{listener.url}/controle", json={}, timeout=5.0, trust_env=False)
        if control.status_code != 200 or calls != ["POST /controle"]:
            raise AssertionError(f"a URL da suíte {listener.url} não registrou o pedido de controle: {calls!r}")
    except BaseException:
        listener.stop()
        raise
    calls.clear()
    return listener


def importer_gateway(session) -> str:
    """The gatewayUrl the CP holds for the importer (GET /admin/api/wls/{id})."""
    c = session.config
    body = expect(session.cp_admin.get_wl(c.importer_wl_id), 200, session, "o importador no CP")
    gateway = body.get("gatewayUrl") if isinstance(body, dict) else None
    if not gateway:
        raise AssertionError(f"o CP não guarda gatewayUrl para o importador {c.importer_wl_id}: o exportador não "
                             "teria onde avisar a decisão, e o cenário não provaria nada")
    return str(gateway)


def buy_directly(session, purchase: Purchase, callback_url: str) -> str:
    """POST /api/v2/trader/purchase at the exporter as the importer (its genuine peer token), for 1 unit of the
    purchase's origin offer, naming the purchase's importer trade and `callback_url`; the exporter's trade id."""
    m, c = session.stack_map, session.config
    origin = wl_sql.imported_offers(session, [purchase.offer_id])[0].origin_offer_id
    body = {m.name("wl.exporter.purchase.request.origin_offer_id"): origin,
            m.name("wl.exporter.purchase.request.quantity"): 1,
            m.name("wl.exporter.purchase.request.requester_wl_id"): c.importer_wl_id,
            m.name("wl.exporter.purchase.request.importer_trade_id"): purchase.importer_trade_id,
            m.name("wl.exporter.purchase.request.callback_url"): callback_url}
    response = session.exporter.purchase(trading.exporter_peer_token(session), body, str(uuid.uuid4()))
    answer = expect(response, (200, 201), session, "compra direta no exportador com uma URL de aviso")
    trade_id = dig(answer, m.name("wl.exporter.purchase.trade_id"))
    if not trade_id:
        raise AssertionError(f"a compra direta no exportador não trouxe o id do trade: {answer!r}")
    return str(trade_id)


def approve(session, trade_id: str) -> None:
    expect(session.exporter.approve(trade_id, trading.exporter_peer_token(session)), 200, session,
           f"aprovar {trade_id} no exportador")


@dataclass(frozen=True)
class Outcome:
    """What the exporter recorded of its callback when the wait ended, and what the listener had got by then."""
    recorded: str | None
    delivered: bool
    listener_calls: tuple[str, ...]


def wait_callback(session, trade_id: str, listener: Listener) -> Outcome:
    """Until the exporter records that the importer answered the trade's callback, or the listener gets a
    request (XPORY_TELEMETRY_TIMEOUT_SECONDS: what a WL does to reach the other WL)."""
    delivered = session.stack_map.template_pattern("wl.exporter.callback.delivered")

    def probe() -> Outcome:
        recorded = wl_sql.exporter_callback_status(session, trade_id)
        return Outcome(recorded, bool(recorded and delivered.match(recorded)), tuple(listener.calls))

    return until(probe, lambda seen: seen.delivered or bool(seen.listener_calls),
                 timeout=session.config.telemetry_timeout_seconds,
                 describe=f"o exportador avisar a decisão do trade {trade_id}")
