# language: pt
@ui
Funcionalidade: A loja do importador explica por que a compra foi recusada (runbook, passo 11)
  Para que o comprador saiba o que fazer quando a oferta mudou ou acabou, sem pagar nada
  Como comprador QA da loja do importador
  Quero ver na página da oferta o aviso de preço atualizado ou o alerta de oferta esgotada

  Contexto:
    Dado que o ambiente foi resetado e as ofertas do exportador foram importadas
    E que o comprador QA tem saldo em X$ e em R$ e escolheu uma oferta importada comprável
    E que o comprador QA entrou na loja com sua conta e seu token

  @fora-do-runbook
  Cenário: PRICE_CHANGED — a loja pede para atualizar a página, e o botão do aviso a recarrega
    Dado que o exportador aumenta em 10% o preço da oferta de origem
    Quando o comprador QA tenta comprar essa oferta na loja
    Então a loja mostra o aviso "O preço desta oferta foi atualizado. Atualize a página e tente novamente."
    E o botão do aviso recarrega a página da oferta
    E nada foi cobrado do comprador QA: saldos X$ e R$ e extrato iguais aos de antes

  @fora-do-runbook
  Cenário: OUT_OF_STOCK — a loja avisa que a oferta esgotou
    Dado que o exportador deixou o estoque da oferta de origem em 0
    Quando o comprador QA tenta comprar essa oferta na loja
    Então a loja mostra o alerta "Oferta esgotada."
    E nada foi cobrado do comprador QA: saldos X$ e R$ e extrato iguais aos de antes
