# language: pt
@seguranca
Funcionalidade: Sem a credencial certa, ninguém entra: mTLS, tokens de admin e peer tokens
  Para que só os white labels e os usuários autorizados operem as trocas entre WLs
  Como responsável pela segurança da XporY
  Quero que o CP, o exportador e o importador recusem quem chega sem a credencial certa

  Os cenários @divergencia descrevem o comportamento pretendido que o CP real ainda não tem (contrato do
  CP, §7 e §12, itens 1, 2 e 7): atrás do Traefik, o CP emite peer tokens a qualquer um, sem certificado
  cliente. No sandbox embutido eles passam; na stack de staging falham até o CP ser corrigido. Num portão
  de staging, exclua-os com --tags="not @divergencia".

  Os tokens forjados são feitos pela própria suíte, com chaves geradas na hora: a suíte nunca conhece as
  chaves do CP. Por isso o token "vencido" também tem uma assinatura que não é do CP: o cenário prova que
  o importador recusa um token que o CP não emitiu, não isola a checagem da validade. A validade, o tipo
  do token, o WL a quem ele se destina e o WL que o pediu são provados cada um sozinho, abaixo, com
  tokens verdadeiros que o próprio CP emite (no sandbox embutido um peer token vale 4 s).

  O aviso da decisão de uma compra (o callback do exportador ao importador) só pode ir ao gatewayUrl que o
  CP guarda para o importador, nunca a uma URL que o corpo da compra indique: senão qualquer um com um peer
  token faria o exportador postar os dados do trade onde quisesse. A suíte abre uma URL sua e a manda no
  corpo; o cenário só vale se o exportador alcançaria essa URL (no sandbox embutido ele roda nesta máquina).
  Numa stack de verdade, sem o endereço desta máquina visto do exportador no mapa
  (wl.exporter.callback.suite_host), o cenário é pulado: nada chegar a uma URL inalcançável não prova nada.
  A espera termina quando o exportador registra que o importador respondeu ao aviso, não num prazo fixo.
  A compra feita direto no exportador (como um importador faria, contrato wl.md §3.7) não é um comando do
  runbook: por isso o cenário é @fora-do-runbook; o trade que ele deixa, o reset apaga.

  Contexto:
    Dado que o exportador e o importador estão cadastrados no CP com o relacionamento ativo

  @mtls @divergencia
  Esquema do Cenário: O CP só emite peer token a quem apresenta o certificado cliente do WL (<certificado>)
    Quando alguém pede ao CP um peer token do importador para o exportador apresentando <certificado>
    Então o CP interrompe o handshake TLS, sem dar resposta HTTP
    E o mesmo pedido, com o certificado cliente do WL, recebe um peer token

    Exemplos:
      | certificado                |
      | nenhum certificado         |
      | um certificado de outra CA |

  @mtls @divergencia
  Cenário: Pela API admin, sem certificado cliente, o CP também não emite peer token
    Quando alguém pede pela API admin um peer token do importador para o exportador
    Então a resposta é 401 com o erro "Client certificate required"

  Esquema do Cenário: A API admin recusa <credencial> com 401 "<erro>"
    Quando alguém consulta os trades pendentes na API admin com <credencial>
    Então a resposta é 401 com o erro "<erro>"
    Quando alguém consulta os trades pendentes na API admin com o token do MASTER
    Então a resposta é 200

    Exemplos:
      | credencial                                   | erro                 |
      | nenhum token                                 | Missing bearer token |
      | um token forjado, assinado com outro segredo | Invalid token        |

  Cenário: Um TRADER não administra usuários, mas consulta os trades pendentes
    Quando eu entro na API admin como TRADER
    E eu consulto os usuários do CP na API admin
    Então a resposta é 403 com o erro "Forbidden"
    Quando eu consulto os trades pendentes na API admin
    Então a resposta é 200

  Esquema do Cenário: O importador recusa no debug import um peer token que o CP não emitiu: <token>
    Dado que o importador tem um peer token verdadeiro do CP para importar do exportador
    E que uma importação mudaria as ofertas importadas do importador
    Quando alguém chama o debug import do importador com esse peer token <token>
    Então a resposta é 401 com o erro "Invalid Control Plane token"
    E nenhuma oferta importada mudou: o importador não importou nada

    Exemplos:
      | token                                                   |
      | assinado por outra chave, com o kid verdadeiro do CP    |
      | vencido há uma hora, assinado pela suíte                |
      | com a validade adulterada depois da assinatura do CP    |

  Esquema do Cenário: O exportador recusa nas compras um peer token sem o escopo "trader:purchase" (<ação>)
    Dado que o importador tem um peer token verdadeiro do CP só com o escopo "offers:sync"
    Quando o importador usa esse peer token para <ação> no exportador
    Então a resposta é 403
    E a resposta não traz dados de compra, só um erro

    Exemplos:
      | ação                            |
      | listar as compras pendentes     |
      | fazer o preflight de uma compra |

  # Tokens verdadeiros fora do lugar: o CP assina todos eles, então o WL não pode recusá-los pela
  # assinatura, e cada recusa prova só a checagem que o cenário nomeia (o tipo, o dono, o escopo, a validade).

  Esquema do Cenário: O exportador só aceita peer token nas compras: <credencial> não serve para <ação>
    Dado que alguém tem <credencial>
    Quando alguém usa esse token para <ação> no exportador
    Então a resposta é 401 com o erro "Invalid Control Plane token"
    E a resposta não traz dados de compra, só um erro

    Exemplos:
      | credencial                                                                  | ação                            |
      | o token de WL do importador, emitido pelo CP com o escopo "trader:purchase" | listar as compras pendentes     |
      | o token de WL do importador, emitido pelo CP com o escopo "trader:purchase" | fazer o preflight de uma compra |
      | o token de admin do MASTER                                                  | listar as compras pendentes     |
      | o token de admin do MASTER                                                  | fazer o preflight de uma compra |

  Esquema do Cenário: O exportador recusa um peer token emitido pelo CP para outro WL (audiência): <ação>
    Dado que alguém tem um peer token verdadeiro que o exportador pediu ao CP para chamar o importador
    Quando alguém usa esse token para <ação> no exportador
    Então a resposta é 401 com o erro "Invalid Control Plane token"
    E a resposta não traz dados de compra, só um erro

    Exemplos:
      | ação                            |
      | listar as compras pendentes     |
      | fazer o preflight de uma compra |

  Esquema do Cenário: O debug import do importador só aceita peer token: <credencial> é recusado
    Dado que uma importação mudaria as ofertas importadas do importador
    E que alguém tem <credencial>
    Quando alguém chama o debug import do importador com esse token
    Então a resposta é 401 com o erro "Invalid Control Plane token"
    E nenhuma oferta importada mudou: o importador não importou nada

    Exemplos:
      | credencial                                                              |
      | o token de WL do importador, emitido pelo CP com o escopo "offers:sync" |
      | o token de admin do MASTER                                              |

  Cenário: O debug import do importador recusa um peer token pedido ao CP em nome de outro WL (wlId)
    Dado que uma importação mudaria as ofertas importadas do importador
    E que alguém tem um peer token verdadeiro que o exportador pediu ao CP para chamar o importador
    Quando alguém chama o debug import do importador com esse token
    Então a resposta é 401 com o erro "Invalid Control Plane token"
    E nenhuma oferta importada mudou: o importador não importou nada

  Cenário: O debug import do importador recusa um peer token sem o escopo "offers:sync"
    Dado que uma importação mudaria as ofertas importadas do importador
    E que o importador tem um peer token verdadeiro do CP só com o escopo "trader:purchase"
    Quando alguém chama o debug import do importador com esse token
    Então a resposta é 403
    E nenhuma oferta importada mudou: o importador não importou nada

  Esquema do Cenário: Um peer token verdadeiro, com a assinatura do CP, deixa de valer quando vence: <chamada>
    Dado que o importador tem um peer token verdadeiro do CP para importar do exportador
    Quando o importador usa esse peer token para <chamada>, enquanto ele vale
    Então depois que o peer token vence, a mesma chamada é recusada com 401 "Invalid Control Plane token"

    Exemplos:
      | chamada                                             |
      | listar as compras pendentes no exportador           |
      | importar as ofertas do exportador pelo debug import |

  @callback
  @fora-do-runbook
  Cenário: O exportador avisa a decisão só no gatewayUrl que o CP guarda para o importador, nunca na URL do pedido
    Dado que o ambiente foi resetado e as ofertas do exportador foram importadas
    E que o comprador em massa pode comprar: um único registro de privilégios com buy_offer e saldo X$ suficiente
    E que o comprador fez 1 compra que aguarda aprovação
    E que a suíte escuta numa URL sua, que o exportador alcança e que não é o gatewayUrl do importador no CP
    Quando alguém compra no exportador como o importador, citando essa compra e pedindo o aviso na URL da suíte
    E o exportador aprova essa compra feita direto nele
    Então o exportador registra que o importador respondeu ao aviso da decisão
    E nenhum pedido chegou à URL da suíte
