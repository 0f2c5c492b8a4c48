# language: pt
@seguranca
Funcionalidade: Autoria — papéis na API admin e o status do relacionamento
  Escritos só a partir de docs/passos.md: login por papel, leituras da API admin e campos do relacionamento.

  Contexto:
    Dado que o exportador e o importador estão cadastrados no CP com o relacionamento ativo

  Esquema do Cenário: Quem lista os usuários do CP: <papel> recebe <status>
    Quando eu entro na API admin como <papel>
    E eu consulto os usuários do CP na API admin
    Então a resposta é <status>

    Exemplos:
      | papel   | status |
      | MASTER  | 200    |
      | manager | 200    |
      | TRADER  | 403    |

  Cenário: Com o relacionamento pausado, o CP não emite peer token
    Quando eu atualizo no CP o relacionamento exportador → importador:
      | campo  | valor  |
      | status | paused |
    Então a resposta é 200
    E o relacionamento exportador → importador está com:
      | campo  | valor  |
      | status | paused |
    Quando o importador pede ao CP um peer token para o exportador, apresentando o certificado cliente
    Então a resposta é 403 com o erro "relationship not active"

  Cenário: Câmbio e limite do relacionamento mudam pela API admin, e um status fora da lista é recusado
    Quando eu atualizo no CP o relacionamento importador → exportador:
      | campo       | valor |
      | fxRate      | 1,25  |
      | limitAmount | 5000  |
    Então a resposta é 200
    E o relacionamento importador → exportador está com:
      | campo       | valor  |
      | fxRate      | 1.25   |
      | limitAmount | 5000   |
      | status      | active |
    Quando eu atualizo no CP o relacionamento importador → exportador:
      | campo  | valor   |
      | status | fechado |
    Então a resposta é 422
