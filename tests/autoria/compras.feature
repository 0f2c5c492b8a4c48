# language: pt
@trades
Funcionalidade: Autoria — quantidades e decisões de mais de um lugar
  Escritos só a partir de docs/passos.md.

  Contexto:
    Dado que o ambiente foi resetado e as ofertas do exportador foram importadas
    E que o comprador em massa pode comprar: um único registro de privilégios com buy_offer e saldo X$ suficiente

  Cenário: Compras de 2 unidades, uma aprovada pelo exportador e outra rejeitada pelo CP
    Quando o comprador compra 2 unidades de cada uma de 3 ofertas importadas distintas
    Então as 3 compras são aceitas e ficam pendentes
    Quando o exportador aprova 1 dessas compras
    E o CP rejeita 1 dessas compras com o motivo "SEM_ESTOQUE"
    Então cada decisão foi aceita com o status resultante e o motivo guardado
    E o exportador guarda cada uma dessas compras com o status da sua decisão
    E o exportador guarda 1 dessas compras com o status PENDING
    E o CP lista cada trade com o status que o exportador guarda
    E o saldo X$ do comprador fecha: debitado pelas confirmadas, retido pelas pendentes e devolvido pelas rejeitadas
