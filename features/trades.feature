# language: pt
@trades
Funcionalidade: Trocas entre white labels: compras, aprovações e conferência no CP (runbook, passos 7 a 9)
  Para que compradores de um WL comprem ofertas de outro WL com aprovação do vendedor
  Como QA da XporY
  Quero comprar ofertas importadas, aprovar e rejeitar as compras e conferir os trades e seus detalhes no CP

  Contexto:
    Dado que o ambiente foi resetado e as ofertas do exportador foram importadas
    E que o comprador em massa pode comprar: um único registro de privilégios com buy_offer e saldo X$ suficiente

  Cenário: Vinte compras de ofertas importadas distintas aguardam aprovação do exportador
    Quando o comprador compra 1 unidade de cada uma de 20 ofertas importadas distintas
    Então as 20 compras são aceitas e ficam pendentes
    E o exportador lista as 20 compras entre as pendentes de aprovação
    E o CP lista cada trade com o status que o exportador guarda

  Cenário: Aprovações e rejeições no exportador deixam trades pendentes, confirmados e rejeitados
    Dado que o comprador fez 6 compras que aguardam aprovação
    Quando o exportador aprova 2 dessas compras
    E o exportador rejeita 2 dessas compras com o motivo "MANUAL_REJECT"
    Então cada decisão foi aceita com o status resultante e o motivo guardado
    E o exportador guarda cada uma dessas compras com o status da sua decisão
    E o exportador guarda 2 dessas compras com o status PENDING
    E o CP lista cada trade com o status que o exportador guarda
    E o exportador avisou o CP, pela sua própria telemetria, do status de cada trade
    E o saldo X$ do comprador fecha: debitado pelas confirmadas, retido pelas pendentes e devolvido pelas rejeitadas

  Cenário: Os detalhes de um trade no CP trazem a oferta, o comprador e o vendedor
    Dado que o comprador fez 1 compra que aguarda aprovação
    Quando eu abro no CP os detalhes desse trade
    Então os detalhes trazem a oferta, o comprador e o vendedor, sem "-" nem "—" no lugar de um valor
    E os detalhes trazem como vendedor a entidade da oferta comprada, e como comprador outra pessoa

  Cenário: Decidir pelo CP reduz os pendentes, e uma segunda decisão é recusada
    Dado que o comprador fez 2 compras que aguardam aprovação
    Quando o CP aprova 1 dessas compras
    E o CP rejeita 1 dessas compras com o motivo "MANUAL_REJECT"
    Então cada decisão foi aceita com o status resultante e o motivo guardado
    E o contador de pendentes do CP caiu 2
    E o exportador aceitou cada decisão que o CP lhe repassou
    E o exportador guarda cada uma dessas compras com o status da sua decisão
    Quando o CP aprova de novo uma compra já decidida
    Então a resposta é 409 com o erro "trade already decided"

  Cenário: O CP avisa do trade pendente e, quando confirmado, do novo trade
    Dado que o comprador fez 1 compra que aguarda aprovação
    Quando o exportador aprova 1 dessas compras
    Então o MASTER tem a notificação "Trade pendente" dessa compra, ainda não lida
    E o MASTER tem a notificação "Novo trade" dessa compra, ainda não lida

  @fora-do-runbook
  Esquema do Cenário: Sem <precondição>, a compra é recusada e nada é debitado
    Dado que <quebra>
    Quando o comprador tenta comprar uma oferta importada
    Então a compra é recusada com a mensagem "<mensagem>"
    E o saldo X$ do comprador e o seu extrato não mudaram

    Exemplos:
      | precondição                       | quebra                                                        | mensagem                                      |
      | saldo X$ suficiente               | o saldo X$ do comprador é menor que o preço da oferta          | Saldo X$ insuficiente                         |
      | dados de maturidade X$            | os dados de maturidade X$ do comprador foram apagados          | Erro ao debitar em X$                         |
      | um único registro de privilégios  | o INSERT de privilégios do runbook rodou de novo para o comprador | More than one row with the given identifier |
