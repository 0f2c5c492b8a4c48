"""Steps of the trades feature: the buyer's preconditions, purchases, decisions at the exporter and
through the CP, the CP's trade list and details, and the X$ balance."""
from decimal import Decimal

from behave import given, then, when
from hamcrest import (
    assert_that,
    contains_string,
    empty,
    equal_to,
    greater_than,
    has_entries,
    has_length,
    has_properties,
    is_not,
    not_none,
)

from support import correlation, preconditions, queries, trade_balance, trade_details, trading, wl_sql
from support import vocabulary as _vocabulary  # noqa: F401  (registers the typed parameters)
from support.expect import expect
from support.wait import until


def _telemetry(context) -> float:
    """The profile's deadline for what a WL does to reach the CP and the other WL (XPORY_TELEMETRY_TIMEOUT_SECONDS)."""
    return context.session.config.telemetry_timeout_seconds


def _accepted_pending(answer) -> None:
    assert_that(answer, has_properties(ok=True, status="PENDING", importer_trade_id=not_none(),
                                       exporter_trade_id=not_none()))


def _buy_pending(context, count: int) -> list:
    s = context.session
    if context.world.purchases_since is None:  # the CP's clock, for reports of only this scenario's trades
        context.world.purchases_since = queries.database_now(s.db.cp)
    answers = [trading.buy(s, offer_id) for offer_id in trading.fresh_offer_ids(s, count)]
    for answer in answers:
        _accepted_pending(answer)
    context.world.purchases.extend(answers)
    return answers


def _exporter_ids(context) -> list[str]:
    return [correlation.exporter_id(p) for p in context.world.purchases]


@given("que o comprador em massa pode comprar: um único registro de privilégios com buy_offer e saldo X$ suficiente")
def step_buyer_ready(context):
    """Runbook passo 7, idempotente: 1 linha em account_privileges com buy_offer, X$ 100000, maturidade presente.

    Contexto: compras do comprador em massa (@trades, Admin UI), depois do ambiente com as ofertas importadas
    Exemplo: E que o comprador em massa pode comprar: um único registro de privilégios com buy_offer e saldo X$ suficiente
    """
    state = trading.ensure_buyer_can_buy(context.session)
    assert_that(state["privileges"], has_length(1))
    assert_that(state["privileges"][0]["buy_offer"], equal_to(True))
    assert_that(state["xbalance"], equal_to(trading.FUNDED_BALANCE))
    context.world.buyer_xbalance_before = state["xbalance"]


@when("o comprador compra {quantidade:Unidades} de cada uma de {count:d} ofertas importadas distintas")
def step_buy_many(context, quantidade, count):
    """POST /api/v1/buy-offer no importador com a quantidade dada, uma vez por oferta importada comprável e
    ainda não comprada.

    Exemplo: Quando o comprador compra 1 unidade de cada uma de 20 ofertas importadas distintas
    Exemplo: Quando o comprador compra 2 unidades de cada uma de 3 ofertas importadas distintas
    """
    s = context.session
    context.world.purchases = [trading.buy(s, offer_id, quantity=quantidade)
                               for offer_id in trading.fresh_offer_ids(s, count)]


@then("as {count:d} compras são aceitas e ficam pendentes")
def step_all_pending(context, count):
    """Cada resposta: ok=true, status PENDING, tradeId e externalTradeId; ofertas distintas.

    Exemplo: Então as 20 compras são aceitas e ficam pendentes
    """
    purchases = context.world.purchases
    assert_that(purchases, has_length(count))
    for answer in purchases:
        _accepted_pending(answer)
    assert_that(len({p.offer_id for p in purchases}), equal_to(count))


@then("o exportador lista as {count:d} compras entre as pendentes de aprovação")
def step_exporter_pending(context, count):
    """GET /api/v2/trader/purchases/pending (peer token trader:purchase) contém todas as compras.

    Exemplo: E o exportador lista as 20 compras entre as pendentes de aprovação
    """
    pending = set(trading.pending_at_exporter(context.session))
    missing = [t for t in _exporter_ids(context) if t not in pending]
    assert_that(missing, empty(), "compras ausentes da lista de pendentes do exportador")
    assert_that(len(_exporter_ids(context)), equal_to(count))


@then("o CP lista cada trade com o status que o exportador guarda")
def step_cp_matches_exporter(context):
    """GET /admin/api/trades: cada trade (por tradeExternalId) com o status de cross_wl_trade no exportador.

    Exemplo: E o CP lista cada trade com o status que o exportador guarda
    """
    seen = trading.wait_cp_matches_exporter(context.session, context.world.purchases)
    assert_that(len(seen), equal_to(len(context.world.purchases)))


@given("que o comprador fez {count:Compras} aprovação")
def step_has_pending(context, count):
    """Compra 1 unidade de N ofertas importadas distintas e confere que todas ficam PENDING (ok, tradeId e
    externalTradeId).

    Exemplo: Dado que o comprador fez 6 compras que aguardam aprovação
    Exemplo: Dado que o comprador fez 1 compra que aguarda aprovação
    """
    _buy_pending(context, count)


FIRST_PURCHASES = "Dado que o comprador fez 2 compras que aguardam aprovação"


def _undecided(context, count: int) -> list:
    purchases = context.world.need("purchases", FIRST_PURCHASES)
    decided = {id(d["purchase"]) for d in context.world.decisions}
    free = [p for p in purchases if id(p) not in decided]
    if count == 0:
        return free
    if len(free) < count:
        raise AssertionError(f"o cenário tem {len(free)} compras ainda sem decisão, e o passo decide {count}: "
                             f"faça mais compras antes («{FIRST_PURCHASES}»)")
    return free[:count]


def _cp_pending(context, purchases) -> None:
    """Wait for the CP to list the purchases as pending; the first time, keep its pending counter."""
    s = context.session
    ids = {correlation.cp_pending_id(s, p) for p in purchases}
    body = until(lambda: expect(s.cp_admin.pending_trades(), 200, s, "pendentes do CP"),
                 lambda b: ids <= {i["tradeId"] for i in b["items"]}, timeout=_telemetry(context),
                 describe="o CP listar as compras como pendentes")
    if context.world.pending_before is None:
        context.world.pending_before = body["count"]


def _decide(context, quem: str, approve: bool, count: int, reason: str | None) -> None:
    s = context.session
    chosen = _undecided(context, count)
    if quem == "cp":  # every purchase not yet decided is listed first, so the counter counts them all
        _cp_pending(context, _undecided(context, 0) or chosen)
    for purchase in chosen:
        if quem == "exporter":
            answer = trading.decide_at_exporter(s, purchase, approve=approve, reason=reason or "MANUAL_REJECT")
            context.world.decided_at_exporter[correlation.exporter_id(purchase)] = answer.status
        else:
            trade_id = correlation.cp_pending_id(s, purchase)
            context.world.response = (s.cp_admin.approve_trade(trade_id) if approve
                                      else s.cp_admin.reject_trade(trade_id, reason))
            answer = context.world.response
        context.world.decisions.append({"purchase": purchase, "approve": approve, "reason": reason, "via": quem,
                                        "answer": answer})


@when("{quem:QuemDecide} aprova {n:d} dessas compras")
def step_approve(context, quem, n):
    """Aprova as próximas N compras do cenário ainda sem decisão: no exportador (runbook passo 8, peer token)
    ou pelo CP (POST /admin/api/trades/{id}/approve, token do MASTER; antes, espera o CP listá-las como
    pendentes e guarda o contador de pendentes).

    Precisa antes: Dado que o comprador fez 2 compras que aguardam aprovação
    Exemplo: Quando o exportador aprova 2 dessas compras
    Exemplo: Quando o CP aprova 1 dessas compras
    """
    _decide(context, quem, True, n, None)


@when('{quem:QuemDecide} rejeita {n:d} dessas compras com o motivo "{motivo}"')
def step_reject(context, quem, n, motivo):
    """Rejeita as próximas N compras do cenário ainda sem decisão, com o motivo: no exportador ({"reason"})
    ou pelo CP (POST /admin/api/trades/{id}/reject).

    Precisa antes: Dado que o comprador fez 2 compras que aguardam aprovação
    Exemplo: E o exportador rejeita 2 dessas compras com o motivo "MANUAL_REJECT"
    Exemplo: E o CP rejeita 1 dessas compras com o motivo "MANUAL_REJECT"
    """
    _decide(context, quem, False, n, motivo)


def _wanted_status(decision: dict | None) -> str:
    if decision is None:
        return "PENDING"
    return "CONFIRMED" if decision["approve"] else "REJECTED"


@then("cada decisão foi aceita com o status resultante e o motivo guardado")
def step_decisions_answered(context):
    """A resposta de cada decisão: no exportador, a rejeição volta REJECTED com o motivo; pelo CP, 200 com
    approval.decision APPROVED/REJECTED, statusAfter CONFIRMED/REJECTED e o motivo da rejeição.

    Precisa antes: Quando o exportador aprova 2 dessas compras
    Exemplo: Então cada decisão foi aceita com o status resultante e o motivo guardado
    """
    s = context.session
    decisions = context.world.need("decisions", "Quando o exportador aprova 2 dessas compras")
    for d in decisions:
        if d["via"] == "exporter":
            if not d["approve"]:
                assert_that(d["answer"], has_properties(status="REJECTED", reason=d["reason"]))
            continue
        body = expect(d["answer"], 200, s, "decisão pelo CP")
        want = {"decision": "APPROVED" if d["approve"] else "REJECTED", "statusAfter": _wanted_status(d)}
        if not d["approve"]:
            want["reason"] = d["reason"]
        assert_that(body["approval"], has_entries(want))


@then("o exportador guarda cada uma dessas compras com o status da sua decisão")
def step_exporter_statuses(context):
    """cross_wl_trade do exportador: aprovada CONFIRMED, rejeitada REJECTED, sem decisão PENDING, para cada
    compra do cenário.

    Precisa antes: Dado que o comprador fez 2 compras que aguardam aprovação
    Exemplo: Então o exportador guarda cada uma dessas compras com o status da sua decisão
    """
    purchases = context.world.need("purchases", FIRST_PURCHASES)
    by_purchase = {id(d["purchase"]): d for d in context.world.decisions}
    want = {correlation.exporter_id(p): _wanted_status(by_purchase.get(id(p))) for p in purchases}
    assert_that(trading.exporter_trades(context.session, purchases), equal_to(want))


@then("o exportador guarda {n:d} dessas compras com o status {status:StatusTrade}")
def step_exporter_count(context, n, status):
    """Quantas compras do cenário têm esse status em cross_wl_trade do exportador.

    Precisa antes: Dado que o comprador fez 2 compras que aguardam aprovação
    Exemplo: E o exportador guarda 2 dessas compras com o status PENDING
    """
    purchases = context.world.need("purchases", FIRST_PURCHASES)
    statuses = list(trading.exporter_trades(context.session, purchases).values())
    assert_that(statuses.count(status), equal_to(n), f"status no exportador: {statuses}")


@then("o saldo X$ do comprador fecha: debitado pelas confirmadas, retido pelas pendentes e devolvido pelas rejeitadas")
def step_balance_reconciles(context):
    """saldo antes − saldo agora = Σ confirmadas + Σ pendentes (as rejeitadas voltaram), ao centavo.

    Exemplo: E o saldo X$ do comprador fecha: debitado pelas confirmadas, retido pelas pendentes e devolvido pelas rejeitadas
    """
    s = context.session
    statuses = trading.exporter_trades(s, context.world.purchases)
    kept = sum((p.total_price for p in context.world.purchases
                if statuses[correlation.exporter_id(p)] in ("CONFIRMED", "PENDING")), Decimal("0"))
    assert_that(kept, greater_than(Decimal("0")))
    expected = context.world.buyer_xbalance_before - kept
    until(lambda: trading.xbalance(s), lambda value: value == expected, timeout=_telemetry(context),
          describe=f"saldo X$ do comprador chegar a {expected}")


@when("eu abro no CP os detalhes desse trade")
def step_open_details(context):
    """GET /admin/api/trades/{tradeId}/details (o CP consulta os dois WLs).

    Exemplo: Quando eu abro no CP os detalhes desse trade
    """
    s = context.session
    trade_id = correlation.cp_details_id(s, context.world.purchases[0])
    until(lambda: s.cp_admin.trade_details(trade_id).status_code, lambda code: code == 200, timeout=_telemetry(context),
          describe="o CP conhecer o trade")
    context.world.response = s.cp_admin.trade_details(trade_id)


@then('os detalhes trazem a oferta, o comprador e o vendedor, sem "-" nem "—" no lugar de um valor')
def step_details_complete(context):
    """offerName, importer.clientName/clientPhone (comprador) e exporter.clientName/clientPhone (vendedor) preenchidos.

    Exemplo: Então os detalhes trazem a oferta, o comprador e o vendedor, sem "-" nem "—" no lugar de um valor
    """
    from support.trade_details import placeholders

    s = context.session
    body = expect(context.world.response, 200, s, "detalhes do trade")
    assert_that(body, has_entries(offerName=not_none(), originOfferId=not_none(),
                                  importer=has_entries(clientName=not_none(), clientPhone=not_none()),
                                  exporter=has_entries(clientName=not_none(), clientPhone=not_none())))
    assert_that(placeholders(body), empty())


@when("o CP aprova de novo uma compra já decidida")
def step_decide_again(context):
    """Segundo POST /admin/api/trades/{id}/approve do primeiro trade já decidido; a resposta fica para o Então.

    Precisa antes: Quando o CP aprova 1 dessas compras
    Exemplo: Quando o CP aprova de novo uma compra já decidida
    """
    s = context.session
    first = context.world.need("decisions", "Quando o CP aprova 1 dessas compras")[0]["purchase"]
    context.world.response = s.cp_admin.approve_trade(correlation.cp_pending_id(s, first))


def _break(context, breaker) -> None:
    """Break one buyer precondition on a fresh offer (journaled: the hooks undo it at the scenario's end)."""
    s = context.session
    offer_id = trading.fresh_offer_ids(s, 1)[0]
    context.world.offer_id = offer_id
    breaker(s, offer_id)
    context.world.buyer_xbalance_before = trading.xbalance(s)
    context.world.ledger_rows_before = trading.ledger_rows(s, s.config.buyer_account_id)


BREAKERS = {"low_balance": preconditions.low_balance,
            "no_maturity": lambda s, offer_id: preconditions.no_maturity(s),
            "duplicated_privileges": lambda s, offer_id: preconditions.duplicated_privileges(s)}


@given("que {quebra:PrecondicaoQuebrada}")
def step_break_precondition(context, quebra):
    """Quebra uma pré-condição do comprador em massa numa oferta nova (cenário @fora-do-runbook; tudo volta ao fim
    do cenário): saldo X$ um centavo abaixo do preço (ou zero, se o mapa não souber o preço); as linhas de
    xtransaction_maturity apagadas; ou o INSERT de account_privileges do runbook de novo (linha duplicada).
    Guarda o saldo X$ e o extrato de antes.

    Exemplo: Dado que o saldo X$ do comprador é menor que o preço da oferta
    Exemplo: Dado que os dados de maturidade X$ do comprador foram apagados
    """
    _break(context, BREAKERS[quebra])


@when("o comprador tenta comprar uma oferta importada")
def step_try_buy(context):
    """POST /api/v1/buy-offer de uma oferta importada comprável.

    Exemplo: Quando o comprador tenta comprar uma oferta importada
    """
    context.world.purchases = [trading.buy(context.session, context.world.offer_id)]


@then('a compra é recusada com a mensagem "{message}"')
def step_refused_with(context, message):
    """ok=false e msg com o texto do runbook.

    Exemplo: Então a compra é recusada com a mensagem "Saldo X$ insuficiente"
    """
    answer = context.world.purchases[0]
    assert_that(answer.ok, equal_to(False), f"resposta {answer}")
    assert_that(answer.msg, contains_string(message))


@then("o saldo X$ do comprador e o seu extrato não mudaram")
def step_nothing_charged(context):
    """xbalance e o número de linhas de xtransaction do comprador iguais aos de antes.

    Exemplo: E o saldo X$ do comprador e o seu extrato não mudaram
    """
    s = context.session
    assert_that(trading.xbalance(s), equal_to(context.world.buyer_xbalance_before))
    assert_that(trading.ledger_rows(s, s.config.buyer_account_id), equal_to(context.world.ledger_rows_before))


@then('o MASTER tem a notificação "{titulo}" dessa compra, ainda não lida')
def step_notifications(context, titulo):
    """GET /admin/api/notifications do MASTER: a notificação com esse título para a (primeira) compra do
    cenário, sem readAt, de exportador para importador, contada em /notifications/unread-count.

    Precisa antes: Dado que o comprador fez 1 compra que aguarda aprovação
    Exemplo: Então o MASTER tem a notificação "Trade pendente" dessa compra, ainda não lida
    """
    s = context.session
    ids = correlation.notification_ids(s, context.world.need("purchases", "Dado que o comprador fez 1 compra que "
                                                                          "aguarda aprovação")[0])

    def mine():
        body = expect(s.cp_admin.notifications(limit=200), 200, s, "notificações")
        return [n for n in body["items"] if n.get("tradeId") in ids]

    found = until(mine, lambda items: titulo in {n["title"] for n in items}, timeout=_telemetry(context),
                  describe="o CP notificar a compra")
    for item in found:
        assert_that(item, has_entries(readAt=None, originWhiteLabelId=s.config.exporter_wl_id,
                                      targetWhiteLabelId=s.config.importer_wl_id))
    unread = expect(s.cp_admin.unread_count(), 200, s, "não lidas")["count"]
    assert_that(unread, greater_than(len(found) - 1))


@then("o exportador aceitou cada decisão que o CP lhe repassou")
def step_exporter_accepted_cp_decisions(context):
    """A resposta de cada approve/reject do CP traz exporter.statusCode 2xx: o statusAfter do CP vale o que o
    CP decidiu mesmo quando o exportador recusa (contrato do CP, §8.7 e §12), e só o código do exportador diz
    que a decisão chegou lá.

    Precisa antes: Quando o CP aprova 1 dessas compras
    Exemplo: E o exportador aceitou cada decisão que o CP lhe repassou
    """
    s = context.session
    decisions = [d for d in context.world.need("decisions", "Quando o CP aprova 1 dessas compras") if d["via"] == "cp"]
    assert_that(decisions, is_not(empty()), "nenhuma decisão pelo CP no cenário: escreva antes «Quando o CP aprova "
                                            "1 dessas compras»")
    for answer in (expect(d["answer"], 200, s, "decisão pelo CP") for d in decisions):
        code = (answer.get("exporter") or {}).get("statusCode")
        assert_that(isinstance(code, int) and 200 <= code < 300, equal_to(True),
                    f"o exportador respondeu {code!r} à decisão {answer.get('approval', {}).get('decision')} "
                    f"do CP: {str((answer.get('exporter') or {}).get('responseBody'))[:300]}")


@then("o exportador avisou o CP, pela sua própria telemetria, do status de cada trade")
def step_exporter_reported(context):
    """GET /admin/api/telemetry/events?whiteLabelId=<exportador>&eventType=TRADER_PURCHASE: o último evento do
    próprio exportador para cada trade traz o status que ele guarda (a lista de trades do CP junta os eventos
    dos dois WLs, então só isto prova que o exportador avisou), até XPORY_TELEMETRY_TIMEOUT_SECONDS.

    Precisa antes: Dado que o comprador fez 6 compras que aguardam aprovação
    Exemplo: E o exportador avisou o CP, pela sua própria telemetria, do status de cada trade
    """
    purchases = context.world.need("purchases", "Dado que o comprador fez 6 compras que aguardam aprovação")
    seen = trading.wait_exporter_reported(context.session, purchases)
    assert_that(len(seen), equal_to(len(purchases)))


@then("os detalhes trazem como vendedor a entidade da oferta comprada, e como comprador outra pessoa")
def step_details_parties(context):
    """exporter.clientName = o nome que o snapshot de entidades do CP dá à entidade da oferta de origem no
    catálogo do exportador (achada pela suíte a partir da oferta comprada), e importer.clientName é outro.

    Precisa antes: Quando eu abro no CP os detalhes desse trade
    Exemplo: E os detalhes trazem como vendedor a entidade da oferta comprada, e como comprador outra pessoa
    """
    s = context.session
    response = context.world.need("response", "Quando eu abro no CP os detalhes desse trade")
    body = expect(response, 200, s, "detalhes do trade")
    bought = wl_sql.imported_offers(s, [context.world.purchases[0].offer_id])
    assert_that(bought, has_length(1), "a oferta comprada entre as importadas")
    seller = trade_details.seller_of(s, bought[0].origin_offer_id)
    assert_that(trade_details.party_problems(body, seller), empty())


@then("o relatório de balança comercial da API fecha com as compras e as decisões do cenário")
def step_balance_from_trades(context):
    """GET /admin/api/reports/trade-balance?version=2, só o par e só desde a primeira compra do cenário: as
    contagens CONFIRMED/PENDING/REJECTED, o total exportado (o que o comprador pagou pelas confirmadas), o
    importado (nada) e o saldo (exportado − importado) são os que a suíte calcula das suas compras e decisões
    (support.trade_balance), esperando a telemetria até XPORY_TELEMETRY_TIMEOUT_SECONDS.

    Precisa antes: Quando o exportador aprova 1 dessas compras
    Exemplo: E o relatório de balança comercial da API fecha com as compras e as decisões do cenário
    """
    s = context.session
    purchases = context.world.need("purchases", "Dado que o comprador fez 2 compras que aguardam aprovação")
    decided = context.world.need("decided_at_exporter", "Quando o exportador aprova 1 dessas compras")
    want = trade_balance.expected([(decided.get(correlation.exporter_id(p), "PENDING"), p.total_price)
                                   for p in purchases])
    assert_that(want.counts, has_entries(CONFIRMED=greater_than(0), PENDING=greater_than(0), REJECTED=greater_than(0)),
                "o cenário precisa de trocas confirmadas, pendentes e rejeitadas para provar a balança")
    since = context.world.purchases_since

    def differences():
        report = trade_balance.report_since(s, since)
        return trade_balance.differences(trade_balance.seen_from_exporter(s, report), want)

    until(differences, lambda diff: not diff, timeout=_telemetry(context), interval=0.2, max_interval=1.0,
          describe="a balança comercial da API fechar com as trocas do cenário")
