"""One check for every counter the suite reads: "o contador <qual> caiu N", against the count the scenario
kept right before its first action (its own evidence), never against a number the stack computed for it."""
from behave import then
from hamcrest import assert_that, empty, equal_to
from playwright.sync_api import expect as expect_ui

from support import correlation
from support import vocabulary as _vocabulary  # noqa: F401  (registers the typed parameters)
from support.expect import expect
from support.stackmap.needs import deferred
from support.wait import until


def _ui(context):
    return context.world.browser()


def _pending_on_screen(context, n: int) -> None:
    """Reloads /admin/trades/pending: the counter is N below the one before the first decision on the screen
    (and equal to the API's count), and the decided purchases' rows are gone."""
    s, admin, world = context.session, _ui(context).admin, context.world
    before = world.need("pending_before", "Quando eu aprovo na tela de aprovações uma dessas compras")
    admin.reload()
    shown = admin.pending_count()
    assert_that(shown, equal_to(before - n))
    assert_that(shown, equal_to(expect(s.cp_admin.pending_trades(), 200, s, "pendentes")["count"]))
    table = admin.pending_table()
    for decision in world.decisions:
        expect_ui(admin.row(table, correlation.cp_pending_id(s, decision["purchase"]))).to_have_count(0)


def _pending_in_cp(context, n: int) -> None:
    """GET /admin/api/trades/pending: count is N below the one before the first decision through the CP, and
    no decided trade is still listed."""
    s = context.session
    before = context.world.need("pending_before", "Quando o CP aprova 1 dessas compras")
    body = expect(s.cp_admin.pending_trades(), 200, s, "pendentes do CP")
    assert_that(body["count"], equal_to(before - n))
    decided = {correlation.cp_pending_id(s, d["purchase"]) for d in context.world.decisions}
    assert_that({i["tradeId"] for i in body["items"]} & decided, empty())


def _unread_on_screen(context, n: int) -> None:
    """Opens /admin/notifications again: the unread counter is N below the one right before the marking
    (plus the unread notifications that reached the CP after it, if the telemetry still brought some)."""
    s, admin, world = context.session, _ui(context).admin, context.world
    before = world.need("unread_before", 'Quando eu marco como lida a notificação "..." mais recente')
    seen = set(world.notifications_seen)

    def shown_and_wanted() -> tuple[int, int]:
        items = expect(s.cp_admin.notifications(limit=50, offset=0), 200, s, "GET /notifications")["items"]
        arrived = [i for i in items if i["id"] not in seen and i["readAt"] is None]
        admin.open_notifications()
        return admin.unread_counter(), before - n + len(arrived)

    shown, wanted = until(shown_and_wanted, lambda got: got[0] == got[1],
                          timeout=s.config.telemetry_timeout_seconds, describe=f"o contador de não lidas cair {n}")
    assert_that(shown, equal_to(wanted))


# deferred: a scenario needs the map entries of the counter it names only (support/stackmap/needs.py); the
# screens' counters are needs of the @ui scenarios that name them, whose other steps already require the UI.
CHECKS = {"pending-screen": deferred(_pending_on_screen), "pending-cp": _pending_in_cp,
          "unread-screen": deferred(_unread_on_screen)}


@then("o contador {contador:Contador} caiu {n:d}")
def step_counter_dropped(context, contador, n):
    """O contador caiu N desde antes da primeira ação do cenário sobre ele:
    "de pendentes da tela de aprovações": recarrega /admin/trades/pending; o contador é o de antes da
    primeira decisão na tela − N, igual ao count da API, e as linhas das compras decididas sumiram (@ui);
    "de pendentes do CP": GET /admin/api/trades/pending, count = o de antes da primeira decisão pelo CP − N,
    e nenhum trade decidido continua na lista;
    "de não lidas da tela de notificações": abre /admin/notifications de novo; o contador é o de antes da
    marcação − N (@ui).

    Precisa antes: Quando eu aprovo na tela de aprovações uma dessas compras
    Precisa antes: Quando o CP aprova 1 dessas compras
    Precisa antes: Quando eu marco como lida a notificação "Trade pendente" mais recente
    Exemplo: Então o contador de pendentes da tela de aprovações caiu 2
    Exemplo: E o contador de pendentes do CP caiu 2
    Exemplo: E o contador de não lidas da tela de notificações caiu 1
    """
    CHECKS[contador](context, n)
