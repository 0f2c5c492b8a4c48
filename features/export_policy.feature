# language: pt
@export_policy
Funcionalidade: A export_policy do relacionamento decide o que o exportador exporta e o importador importa
  Para que cada importador receba só as ofertas combinadas com o exportador
  Como QA da XporY
  Quero aplicar export_policies no relacionamento exportador → importador e conferir a exportação e o import

  Os cinco runbooks de cenário de 2026-01-06 registraram, como documentação (exportado/descoberto):
  sem ofertas exportáveis 0/0, única categoria 61/48, excluir categoria 1968/1647,
  entity allowlist 3/2, entity blocklist 2026/1693. Aqui as expectativas vêm da própria stack:
  dos snapshots do CP e do catálogo do exportador.

  Contexto:
    Dado que o ambiente passou pelo reset completo do runbook

  Esquema do Cenário: Runbook "<runbook>"
    Quando eu aplico no relacionamento exportador → importador a política "<política>"
    Então o exportador exporta exatamente o total que os snapshots do CP preveem para essa política
    Quando o importador importa as ofertas do exportador com um peer token novo de escopo "offers:sync"
    Então o importador não descobre mais do que o exportador exporta, e nada quando ele não exporta nada
    E toda oferta importada vem de uma oferta ativa do exportador que cumpre a política

    Exemplos:
      | runbook                  | política                                        |
      | sem ofertas exportáveis  | incluir só uma categoria sem ofertas ativas     |
      | única categoria          | incluir só a categoria "15"                     |
      | excluir categoria        | excluir a categoria "15"                        |
      | entity allowlist         | permitir só uma entidade com 3 ofertas ativas   |
      | entity blocklist         | bloquear a entidade com 3 ofertas ativas        |

  Cenário: O UPDATE do runbook no cache do exportador vale sozinho, sem esperar o CP
    Dado que o CP mantém para o relacionamento exportador → importador a política "excluir a categoria "15""
    Quando eu forço no cache do exportador, pelo SQL do runbook, a política "incluir só a categoria "15""
    Então o exportador exporta exatamente o total que os snapshots do CP preveem para essa política

  Cenário: Com a política desligada, o exportador exporta todas as ofertas ativas
    Quando eu aplico no relacionamento exportador → importador a política "desligada, mas excluindo a categoria "15""
    Então o exportador exporta todas as ofertas ativas do catálogo

  Cenário: A blocklist vence a allowlist
    Quando eu aplico no relacionamento exportador → importador a política "permitir e bloquear a mesma entidade"
    Então o exportador não exporta nenhuma oferta

  Cenário: Excluir uma categoria vence incluí-la
    Quando eu aplico no relacionamento exportador → importador a política "incluir e excluir a categoria "15""
    Então o exportador não exporta nenhuma oferta

  Cenário: min_created_at mantém só as ofertas criadas a partir daquele instante
    Quando eu aplico no relacionamento exportador → importador a política "só ofertas criadas a partir da data mediana do catálogo"
    Então o exportador exporta exatamente as ofertas ativas que cumprem a política

  Cenário: A lista de categorias e a allowlist de entidades se somam (E)
    Quando eu aplico no relacionamento exportador → importador a política "incluir a categoria "15" e permitir só uma entidade dela"
    Então o exportador exporta exatamente as ofertas ativas que cumprem a política

  Cenário: Ofertas inativas nunca são exportadas
    Quando eu aplico no relacionamento exportador → importador a política "excluir a categoria "15""
    Então nenhuma oferta inativa do catálogo do exportador aparece na exportação

  Esquema do Cenário: Uma export_policy inválida é aceita com 200 e a anterior continua valendo
    Dado que o CP mantém para o relacionamento exportador → importador a política "excluir a categoria "15""
    Quando eu envio ao CP uma export_policy inválida: <defeito>
    Então o CP responde 200 e o relacionamento continua com a política anterior
    E o exportador continua exportando o total da política anterior

    Exemplos:
      | defeito                                      |
      | ids de categoria numéricos como [15]          |
      | min_created_at sem o Z de UTC                 |
