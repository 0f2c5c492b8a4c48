# language: pt
@ui
Funcionalidade: A Admin UI do CP mostra e decide as trocas entre white labels (runbook, passo 11)
  Para acompanhar e decidir as trocas entre white labels sem chamar a API à mão
  Como administrador MASTER do CP
  Quero ver os detalhes dos trades, aprovar e rejeitar pendentes e conferir notificações, balança e relacionamentos

  Contexto:
    Dado que o ambiente foi resetado e as ofertas do exportador foram importadas
    E que o comprador em massa pode comprar: um único registro de privilégios com buy_offer e saldo X$ suficiente
    E que eu entrei na Admin UI como MASTER

  Cenário: O modal de detalhes do trade traz a oferta, o comprador e o vendedor
    Dado que o comprador fez 1 compra que aguarda aprovação
    Quando eu abro na tela de negociações os detalhes desse trade
    Então o modal mostra a oferta, o comprador e o vendedor que a API informa, sem "-" nem "—" no lugar de um valor

  Cenário: Aprovar um trade e rejeitar outro na tela de aprovações reduz os pendentes em dois
    Dado que o comprador fez 2 compras que aguardam aprovação
    Quando eu aprovo na tela de aprovações uma dessas compras
    E eu rejeito na tela de aprovações uma dessas compras com o motivo "MANUAL_REJECT"
    Então o contador de pendentes da tela de aprovações caiu 2
    E a tela de negociações mostra cada compra decidida com o status da sua decisão

  Cenário: As notificações carregam, "Atualizar" traz a nova e o clique abre as negociações
    Dado que o comprador fez 1 compra que aguarda aprovação
    E que eu abri a tela de notificações
    Quando o exportador aprova 1 dessas compras
    E eu clico em "Atualizar" na tela de notificações
    Então a tela passa a listar a notificação "Novo trade" dessa compra, como a API
    Quando eu clico na notificação "Novo trade" mais recente
    Então abre a tela de negociações do exportador para o importador, com essa compra CONFIRMED

  Cenário: Marcar como lida a notificação mais recente reduz o contador de não lidas em um
    Dado que eu abri a tela de notificações
    E que o comprador fez 1 compra que aguarda aprovação
    Quando eu clico em "Atualizar" na tela de notificações
    Então a tela passa a listar a notificação "Trade pendente" dessa compra, como a API
    Quando eu marco como lida a notificação "Trade pendente" mais recente
    Então a API guarda como lida a notificação que eu marquei
    E o contador de não lidas da tela de notificações caiu 1

  Cenário: A tela de relacionamentos lista só os dois relacionamentos do reset, sem órfãos
    Quando eu abro na Admin UI a tela de relacionamentos
    Então a tela de relacionamentos lista exatamente 2 linhas

  Cenário: A balança comercial de wl-exporter para wl-importer repete o relatório da API
    Dado que o comprador fez 2 compras que aguardam aprovação
    Quando o exportador aprova 1 dessas compras
    E o exportador rejeita 1 dessas compras com o motivo "MANUAL_REJECT"
    E eu consulto na tela a balança comercial de "wl-exporter" para "wl-importer"
    Então a tela mostra as mesmas contagens e os mesmos totais do relatório de balança comercial da API

  Cenário: O relatório de balança comercial que a tela mostra fecha com as compras e as decisões do cenário
    Dado que o comprador fez 3 compras que aguardam aprovação
    Quando o exportador aprova 1 dessas compras
    E o exportador rejeita 1 dessas compras com o motivo "MANUAL_REJECT"
    Então o relatório de balança comercial da API fecha com as compras e as decisões do cenário

  Cenário: Editar o relacionamento exportador → importador mostra as ofertas ativas de cada categoria
    Quando eu abro a edição do relacionamento de "wl-exporter" para "wl-importer"
    Então a categoria "15" aparece como "Alimentação" com a contagem de ofertas ativas do snapshot do CP
    E buscar "alimentacao" nas categorias mantém essa categoria com a mesma contagem
    E a busca por "alimentacao" esconde as categorias do snapshot cujo nome não casa com ela
