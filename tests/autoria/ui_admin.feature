# language: pt
@ui
Funcionalidade: Autoria — a Admin UI com outro papel
  Escritos só a partir de docs/passos.md.

  Contexto:
    Dado que o ambiente foi resetado e as ofertas do exportador foram importadas
    E que o comprador em massa pode comprar: um único registro de privilégios com buy_offer e saldo X$ suficiente
    E que eu entrei na Admin UI como MANAGER

  Cenário: Um MANAGER rejeita uma compra na tela de aprovações
    Dado que o comprador fez 2 compras que aguardam aprovação
    Quando eu rejeito na tela de aprovações uma dessas compras com o motivo "FORA_DO_PRAZO"
    Então o contador de pendentes da tela de aprovações caiu 1
    E a tela de negociações mostra cada compra decidida com o status da sua decisão
    E o exportador guarda cada uma dessas compras com o status da sua decisão

  Cenário: Um MANAGER vê na tela de aprovações ao menos as compras que aguardam decisão
    Dado que o comprador fez 3 compras que aguardam aprovação
    Quando eu abro na Admin UI a tela de aprovações
    Então a tela de aprovações lista pelo menos 3 linhas
