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
  o importador recusa um token que o CP não emitiu, não isola a checagem da validade.

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
    E com o token do MASTER a mesma consulta é atendida

    Exemplos:
      | credencial                                   | erro                 |
      | nenhum token                                 | Missing bearer token |
      | um token forjado, assinado com outro segredo | Invalid token        |

  Cenário: Um TRADER não administra usuários
    Quando o usuário TRADER entra na API admin e lista os usuários do CP
    Então a resposta é 403 com o erro "Forbidden"
    E o mesmo TRADER consulta os trades pendentes normalmente

  Esquema do Cenário: O importador recusa no debug import um peer token que o CP não emitiu: <token>
    Dado que o importador tem um peer token verdadeiro do CP para importar do exportador
    Quando alguém chama o debug import do importador com esse peer token <token>
    Então a resposta é 401 com o erro "Invalid Control Plane token"
    E o importador não importou nenhuma oferta

    Exemplos:
      | token                                                   |
      | assinado por outra chave, com o kid verdadeiro do CP    |
      | vencido há uma hora, assinado pela suíte                |
      | com a validade adulterada depois da assinatura do CP    |

  Esquema do Cenário: O exportador recusa nas compras um peer token sem o escopo "trader:purchase" (<ação>)
    Dado que o importador tem um peer token verdadeiro do CP só com o escopo "offers:sync"
    Quando o importador usa esse peer token para <ação> no exportador
    Então o exportador recusa com 403, sem dados de compra

    Exemplos:
      | ação                            |
      | listar as compras pendentes     |
      | fazer o preflight de uma compra |
