# language: pt
@preflight @fora-do-runbook
Funcionalidade: Autoria — mudanças de preço e de estoque que o preflight recusa
  Escritos só a partir de docs/passos.md.

  Contexto:
    Dado que o ambiente foi resetado e as ofertas do exportador foram importadas
    E que o comprador QA tem saldo em X$ e em R$ e escolheu uma oferta importada comprável

  Esquema do Cenário: <mudança> — a compra de <quantidade> é recusada sem cobrar nada
    Dado que o exportador <mudança>
    Quando o comprador QA compra <quantidade> da oferta importada
    Então a compra é recusada com status REJECTED e a mensagem de <recusa>
    E nada foi cobrado do comprador QA: saldos X$ e R$ e extrato iguais aos de antes

    Exemplos:
      | mudança                                          | quantidade | recusa           |
      | reduz em 25% o preço da oferta de origem         | 1 unidade  | preço atualizado |
      | mudou o preço da oferta de origem para 9.999,99  | 1 unidade  | preço atualizado |
      | deixou o estoque da oferta de origem em 2        | 3 unidades | oferta esgotada  |
