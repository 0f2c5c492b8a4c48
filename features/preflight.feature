# language: pt
@preflight
Funcionalidade: O preflight bloqueia compras impossíveis antes do pagamento (runbook, passo 10)
  Para que ninguém pague por uma oferta que mudou de preço, esgotou ou cuja reserva venceu
  Como QA da XporY
  Quero que o importador consulte o exportador antes de cobrar e recuse a compra sem cobrar nada

  Contexto:
    Dado que o ambiente foi resetado e as ofertas do exportador foram importadas
    E que o comprador QA tem saldo em X$ e em R$ e escolheu uma oferta importada comprável

  @fora-do-runbook
  Cenário: PRICE_CHANGED — o exportador mudou o preço depois da sincronização
    Dado que o exportador aumenta em 10% o preço da oferta de origem
    Quando o comprador QA compra 1 unidade da oferta importada
    Então a compra é recusada com status REJECTED e a mensagem de preço atualizado
    E nada foi cobrado do comprador QA: saldos X$ e R$ e extrato iguais aos de antes

  @fora-do-runbook
  Cenário: OUT_OF_STOCK — o estoque da oferta de origem acabou
    Dado que o exportador deixou o estoque da oferta de origem em 0
    Quando o comprador QA compra 1 unidade da oferta importada
    Então a compra é recusada com status REJECTED e a mensagem de oferta esgotada
    E nada foi cobrado do comprador QA: saldos X$ e R$ e extrato iguais aos de antes

  Cenário: HOLD_EXPIRED — o checkout depois do TTL do hold é recusado
    Dado que o importador reservou a oferta no exportador com um preflight e um peer token recém-emitido
    Quando a reserva vence pelo TTL do perfil
    E o comprador QA faz o checkout com uma Idempotency-Key nova e o holdId da reserva
    Então o checkout é recusado com status REJECTED, motivo HOLD_EXPIRED e o preço unitário preenchido
    E nada foi cobrado do comprador QA: saldos X$ e R$ e extrato iguais aos de antes

  @fora-do-runbook
  Cenário: Checkout dentro do TTL conclui a compra, e repetir a Idempotency-Key não compra de novo
    Dado que o importador reservou a oferta no exportador com um preflight e um peer token recém-emitido
    Quando o comprador QA faz o checkout com uma Idempotency-Key nova e o holdId da reserva
    Então a compra é concluída e o comprador QA pagou o preço da reserva
    Quando o comprador QA faz o checkout de novo, com a mesma Idempotency-Key e o holdId da reserva
    Então a resposta repete a primeira, e só uma compra foi registrada e cobrada

  Cenário: Checkout sem Idempotency-Key ou sem holdId é recusado com um erro claro
    Dado que o importador reservou a oferta no exportador com um preflight e um peer token recém-emitido
    Quando o comprador QA faz o checkout sem Idempotency-Key
    Então o importador responde 400 explicando que falta "Idempotency-Key"
    Quando o comprador QA faz o checkout com uma Idempotency-Key nova e sem holdId
    Então o importador responde 400 explicando que falta "holdId"
