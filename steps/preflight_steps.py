"""Steps of the preflight feature: PRICE_CHANGED, OUT_OF_STOCK, HOLD_EXPIRED and the checkout."""
from decimal import Decimal

from behave import given, then, when
from hamcrest import assert_that, contains_string, equal_to, greater_than, has_properties, is_not, not_none

from support import hold_ahead, preflight, trading, wl_shapes
from support.expect import expect
from support.text import contains_words
from support.vocabulary import RECUSA  # importing it registers the typed parameters

CHOSEN = "E que o comprador QA tem saldo em X$ e em R$ e escolheu uma oferta importada comprável"
HOLD = "Dado que o importador reservou a oferta no exportador com um preflight e um peer token recém-emitido"


@given("que o comprador QA tem saldo em X$ e em R$ e escolheu uma oferta importada comprável")
def step_qa_ready(context):
    """Conta QA (XPORY_QA_ACCOUNT_ID) com X$ e R$ > 0 e uma oferta importada comprável ainda não usada.

    Contexto: preflight e loja com a conta QA (@preflight, @ui), depois do ambiente com as ofertas importadas
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
    if context.world.offer is None:
        raise AssertionError(f"este passo usa a oferta que um passo anterior escolhe: escreva antes «{CHOSEN}»")
    return context.world.offer


def _change_price(context, new_price: Decimal) -> None:
    offer = _offer(context)
    assert_that(new_price, greater_than(Decimal("0")), "o preço novo")
    assert_that(new_price, is_not(equal_to(offer.unit_price)), "o preço novo é igual ao atual: nada mudaria")
    preflight.change_origin_offer(context.session, offer.origin_offer_id, price=new_price)  # journaled: undone at the end


@given("que o exportador {variacao:Variacao} em {pct:d}% o preço da oferta de origem")
def step_price_by_percent(context, variacao, pct):
    """UPDATE do preço da oferta de origem no exportador, para cima ou para baixo na porcentagem dada, ao
    centavo (desfeito ao fim do cenário; cenário @fora-do-runbook).

    Precisa antes: E que o comprador QA tem saldo em X$ e em R$ e escolheu uma oferta importada comprável
    Exemplo: Dado que o exportador aumenta em 10% o preço da oferta de origem
    Exemplo: Dado que o exportador reduz em 25% o preço da oferta de origem
    """
    price = _offer(context).unit_price
    _change_price(context, (price * (Decimal(100 + variacao * pct) / 100)).quantize(Decimal("0.01")))


@given("que o exportador mudou o preço da oferta de origem para {valor:Dinheiro}")
def step_price_to(context, valor):
    """UPDATE do preço da oferta de origem no exportador para o valor dado (desfeito ao fim do cenário;
    cenário @fora-do-runbook).

    Precisa antes: E que o comprador QA tem saldo em X$ e em R$ e escolheu uma oferta importada comprável
    Exemplo: Dado que o exportador mudou o preço da oferta de origem para 12,50
    """
    _change_price(context, valor)


@given("que o exportador deixou o estoque da oferta de origem em {n:d}")
def step_stock_set(context, n):
    """UPDATE do estoque da oferta de origem no exportador para N (0 esgota; desfeito ao fim do cenário;
    cenário @fora-do-runbook).

    Precisa antes: E que o comprador QA tem saldo em X$ e em R$ e escolheu uma oferta importada comprável
    Exemplo: Dado que o exportador deixou o estoque da oferta de origem em 0
    """
    preflight.change_origin_offer(context.session, _offer(context).origin_offer_id, stock=n)  # journaled: undone at the end


@when("o comprador QA compra {quantidade:Unidades} da oferta importada")
def step_qa_buys(context, quantidade):
    """POST /api/v1/buy-offer da oferta escolhida com a conta e o token QA e a quantidade dada.

    Precisa antes: E que o comprador QA tem saldo em X$ e em R$ e escolheu uma oferta importada comprável
    Exemplo: Quando o comprador QA compra 1 unidade da oferta importada
    """
    s = context.session
    context.world.purchases = [trading.buy(s, _offer(context).offer_id, s.config.qa_account_id, s.config.qa_token,
                                           quantity=quantidade)]


@then("a compra é recusada com status REJECTED e a mensagem de {recusa:Recusa}")
def step_rejected_with_message(context, recusa):
    """ok=false, status REJECTED e msg com o texto que o mapa da stack dá para essa recusa (com ou sem acentos).

    Precisa antes: Quando o comprador QA compra 1 unidade da oferta importada
    Exemplo: Então a compra é recusada com status REJECTED e a mensagem de oferta esgotada
    """
    assert recusa in RECUSA.values.values()  # the map entries a refusal reads (the readiness derivation sees them)
    expected = preflight.refusal_message(context.session, recusa)
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


@when("o comprador QA faz o checkout {forma:Checkout}")
def step_checkout(context, forma):
    """POST /api/v2/checkout/imported-offer/{importedOfferId}: com uma Idempotency-Key nova (guardada), sem ela,
    ou de novo com a mesma; com o holdId da reserva ou sem holdId no corpo.

    Precisa antes: Dado que o importador reservou a oferta no exportador com um preflight e um peer token recém-emitido
    Exemplo: E o comprador QA faz o checkout com uma Idempotency-Key nova e o holdId da reserva
    Exemplo: Quando o comprador QA faz o checkout sem Idempotency-Key
    """
    key_kind, with_hold = forma
    hold = context.world.need("hold", HOLD)
    if key_kind == "mesma":
        key = context.world.need("idempotency_key", "Quando o comprador QA faz o checkout com uma Idempotency-Key "
                                                    "nova e o holdId da reserva")
    else:
        key = preflight.new_idempotency_key() if key_kind == "nova" else None
    if key_kind == "nova" and with_hold:
        context.world.idempotency_key = key
    context.world.response = preflight.checkout(context.session, _offer(context), hold.hold_id if with_hold else None,
                                                key)


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


@then('o importador responde 400 explicando que falta "{what}"')
def step_bad_request(context, what):
    """HTTP 400 com uma mensagem JSON que nomeia o que falta.

    Exemplo: Então o importador responde 400 explicando que falta "holdId"
    """
    body = expect(context.world.response, 400, context.session, "checkout incompleto")
    assert_that(str(body), contains_string(what))
