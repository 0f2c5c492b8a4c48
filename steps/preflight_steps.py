"""Steps of the preflight feature: PRICE_CHANGED, OUT_OF_STOCK, HOLD_EXPIRED and the checkout."""
from decimal import Decimal

from behave import given, then, when
from hamcrest import assert_that, contains_string, equal_to, greater_than, has_properties, not_none

from support import hold_ahead, preflight, trading, wl_shapes
from support.expect import expect
from support.text import contains_words

# the refusals the feature names, and the map entry holding the importer's msg for each
REFUSAL_MESSAGES = {"preço atualizado": "wl.importer.buy_offer.msg_price_changed",
                    "oferta esgotada": "wl.importer.buy_offer.msg_out_of_stock"}


@given("que o comprador QA tem saldo em X$ e em R$ e escolheu uma oferta importada comprável")
def step_qa_ready(context):
    """Conta QA (XPORY_QA_ACCOUNT_ID) com X$ e R$ > 0 e uma oferta importada comprável ainda não usada.

    Exemplo: E que o comprador QA tem saldo em X$ e em R$ e escolheu uma oferta importada comprável
    """
    s = context.session
    money = preflight.qa_money(s)
    assert_that(money["X$"], greater_than(Decimal("0")))
    assert_that(money["R$"], greater_than(Decimal("0")))
    context.world.qa_money_before = money
    context.world.offer = hold_ahead.offer_for(context) or preflight.qa_offer(s)  # chosen ahead: see below
    hold_ahead.prepare(context)  # the holds of this feature's later expiring scenarios, made now: their TTL runs meanwhile


def _offer(context):
    return context.world.offer


@given("que o exportador alterou o preço da oferta de origem depois da sincronização")
def step_price_changed(context):
    """UPDATE do preço da oferta de origem no exportador (+10%; desfeito ao fim do cenário).

    Exemplo: Dado que o exportador alterou o preço da oferta de origem depois da sincronização
    """
    offer = _offer(context)
    new_price = (offer.unit_price * Decimal("1.10") + Decimal("1")).quantize(Decimal("0.01"))
    preflight.change_origin_offer(context.session, offer.origin_offer_id, price=new_price)  # journaled: undone at the end


@given("que o exportador zerou o estoque da oferta de origem")
def step_out_of_stock(context):
    """UPDATE do estoque da oferta de origem para 0 no exportador (desfeito ao fim do cenário).

    Exemplo: Dado que o exportador zerou o estoque da oferta de origem
    """
    preflight.change_origin_offer(context.session, _offer(context).origin_offer_id, stock=0)  # journaled: undone at the end


@when("o comprador QA compra a oferta importada")
def step_qa_buys(context):
    """POST /api/v1/buy-offer com a conta e o token QA.

    Exemplo: Quando o comprador QA compra a oferta importada
    """
    s = context.session
    context.world.purchases = [trading.buy(s, _offer(context).offer_id, s.config.qa_account_id, s.config.qa_token)]


@then("a compra é recusada com status REJECTED e a mensagem de {refusal}")
def step_rejected_with_message(context, refusal):
    """ok=false, status REJECTED e msg com o texto que o mapa da stack dá para essa recusa (com ou sem acentos):
    "preço atualizado" ou "oferta esgotada".

    Exemplo: Então a compra é recusada com status REJECTED e a mensagem de oferta esgotada
    """
    if refusal not in REFUSAL_MESSAGES:
        raise ValueError(f"recusa desconhecida: {refusal!r}; use uma destas: {', '.join(REFUSAL_MESSAGES)}")
    expected = preflight.refusal_message(context.session, REFUSAL_MESSAGES[refusal])
    answer = context.world.purchases[0]
    assert_that(answer, has_properties(ok=False, status="REJECTED"))
    assert_that(contains_words(answer.msg, expected), equal_to(True), f"msg={answer.msg!r}, esperava {expected!r}")


@then("nada foi cobrado do comprador QA: saldos X$ e R$ e extrato iguais aos de antes")
def step_qa_not_charged(context):
    """Saldos X$ e R$ e número de linhas do extrato (xtransaction) da conta QA inalterados.

    Exemplo: E nada foi cobrado do comprador QA: saldos X$ e R$ e extrato iguais aos de antes
    """
    now = preflight.qa_money(context.session)
    before = {k: context.world.qa_money_before[k] for k in ("X$", "R$", "extrato")}
    assert_that(now, equal_to(before))


@given("que o importador reservou a oferta no exportador com um preflight e um peer token recém-emitido")
def step_hold(context):
    """Peer token novo (trader:purchase) e POST /api/v2/trader/purchase/preflight no exportador: holdId, preço, validade.

    Exemplo: Dado que o importador reservou a oferta no exportador com um preflight e um peer token recém-emitido
    """
    hold = hold_ahead.take_hold(context, _offer(context)) or preflight.make_hold(context.session, _offer(context))
    assert_that(hold, has_properties(hold_id=not_none(), unit_price=not_none(), expires_at=not_none()))
    context.world.hold = hold


@when("a reserva vence pelo TTL do perfil")
@hold_ahead.waits_for_hold_expiry
def step_hold_expires(context):
    """Espera (por polling, com prazo = TTL do perfil + margem) o instante expiresAt da reserva passar.

    Exemplo: Quando a reserva vence pelo TTL do perfil
    """
    preflight.wait_hold_expiry(context.session, context.world.hold)


@when("o comprador QA faz o checkout com uma Idempotency-Key nova e o holdId da reserva")
def step_checkout(context):
    """POST /api/v2/checkout/imported-offer/{importedOfferId} com Idempotency-Key nova e holdId.

    Exemplo: E o comprador QA faz o checkout com uma Idempotency-Key nova e o holdId da reserva
    """
    key = preflight.new_idempotency_key()
    context.world.idempotency_key = key
    context.world.response = preflight.checkout(context.session, _offer(context),
                                                context.world.hold.hold_id, key)


@then("o checkout é recusado com status REJECTED, motivo HOLD_EXPIRED e o preço unitário preenchido")
def step_hold_expired(context):
    """Resposta status=REJECTED, reason=HOLD_EXPIRED e unitPrice igual ao da reserva.

    Exemplo: Então o checkout é recusado com status REJECTED, motivo HOLD_EXPIRED e o preço unitário preenchido
    """
    body = expect(context.world.response, (200, 409, 422), context.session, "checkout")
    answer = wl_shapes.checkout_answer(context.session, body)
    assert_that(answer, has_properties(status="REJECTED", reason="HOLD_EXPIRED", price=not_none()))
    assert_that(answer.price, equal_to(context.world.hold.unit_price))


@then("a compra é concluída e o comprador QA pagou o preço da reserva")
def step_checkout_done(context):
    """ok=true com tradeId, e o saldo X$ da conta QA caiu exatamente o preço da reserva.

    Exemplo: Então a compra é concluída e o comprador QA pagou o preço da reserva
    """
    s = context.session
    body = expect(context.world.response, (200, 201), s, "checkout")
    ok, trade_id = wl_shapes.checkout_succeeded(s, body)
    assert_that(ok, equal_to(True), f"checkout: {body}")
    assert_that(trade_id, not_none(), f"checkout sem o id do trade: {body}")
    context.world.first_checkout = body
    paid = context.world.qa_money_before["X$"] - preflight.qa_money(s)["X$"]
    assert_that(paid, equal_to(context.world.hold.unit_price))


@when("o comprador QA repete o checkout com a mesma Idempotency-Key")
def step_checkout_again(context):
    """Mesmo POST de checkout, mesma Idempotency-Key.

    Exemplo: Quando o comprador QA repete o checkout com a mesma Idempotency-Key
    """
    context.world.response = preflight.checkout(context.session, _offer(context),
                                                context.world.hold.hold_id,
                                                context.world.idempotency_key)


@then("a resposta repete a primeira, e só uma compra foi registrada e cobrada")
def step_replayed(context):
    """Mesmo corpo da primeira resposta; uma única linha em cross_wl_trade para o hold; saldo cobrado uma vez.

    Exemplo: Então a resposta repete a primeira, e só uma compra foi registrada e cobrada
    """
    s = context.session
    body = expect(context.world.response, (200, 201), s, "checkout repetido")
    assert_that(body, equal_to(context.world.first_checkout))
    assert_that(preflight.importer_trades_for_hold(s, context.world.hold.hold_id), equal_to(1))
    paid = context.world.qa_money_before["X$"] - preflight.qa_money(s)["X$"]
    assert_that(paid, equal_to(context.world.hold.unit_price))


@when("o comprador QA faz o checkout sem Idempotency-Key")
def step_checkout_no_key(context):
    """Checkout com holdId e sem o cabeçalho Idempotency-Key.

    Exemplo: Quando o comprador QA faz o checkout sem Idempotency-Key
    """
    context.world.response = preflight.checkout(context.session, _offer(context),
                                                context.world.hold.hold_id, None)


@when("o comprador QA faz o checkout com uma Idempotency-Key nova e sem holdId")
def step_checkout_no_hold(context):
    """Checkout com Idempotency-Key nova e sem holdId no corpo.

    Exemplo: Quando o comprador QA faz o checkout com uma Idempotency-Key nova e sem holdId
    """
    context.world.response = preflight.checkout(context.session, _offer(context), None,
                                                preflight.new_idempotency_key())


@then('o importador responde 400 explicando que falta "{what}"')
def step_bad_request(context, what):
    """HTTP 400 com uma mensagem JSON que nomeia o que falta.

    Exemplo: Então o importador responde 400 explicando que falta "holdId"
    """
    body = expect(context.world.response, 400, context.session, "checkout incompleto")
    assert_that(str(body), contains_string(what))
