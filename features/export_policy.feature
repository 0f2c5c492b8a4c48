# language: pt
@export_policy
Funcionalidade: A export_policy do relacionamento decide o que o exportador exporta e o importador importa
  Para que cada importador receba só as ofertas combinadas com o exportador
  Como QA da XporY
  Quero aplicar export_policies no relacionamento exportador → importador e conferir a exportação e o import

  Os cinco runbooks de cenário de 2026-01-06 registraram, como documentação (exportado/descoberto):
  sem ofertas exportáveis 0/0, única categoria 61/48, excluir categoria 1968/1647,
  entity allowlist 3/2, entity blocklist 2026/1693, e em todos as elegíveis foram as descobertas.
  Aqui as expectativas vêm da própria stack: dos snapshots do CP e do catálogo do exportador, para
  qualquer combinação de campos.

  Contexto:
    Dado que o ambiente passou pelo reset completo do runbook

  Esquema do Cenário: Runbook "<runbook>"
    Quando eu aplico no relacionamento exportador → importador a export_policy:
      | campo              | valor      |
      | include_categories | <incluir>  |
      | exclude_categories | <excluir>  |
      | entity_allowlist   | <permitir> |
      | entity_blocklist   | <bloquear> |
    Então o exportador exporta exatamente as ofertas que a política deixa passar
    Quando o importador importa as ofertas do exportador com um peer token novo de escopo "offers:sync"
    Então o importador não descobre mais do que o exportador exporta, e nada quando ele não exporta nada
    E toda oferta que o importador descobre é elegível, como nos cinco runbooks
    E toda oferta importada vem de uma oferta ativa do exportador que cumpre a política

    Exemplos:
      | runbook                 | incluir                          | excluir | permitir                         | bloquear                         |
      | sem ofertas exportáveis | uma categoria sem ofertas ativas |         |                                  |                                  |
      | única categoria         | 15                               |         |                                  |                                  |
      | excluir categoria       |                                  | 15      |                                  |                                  |
      | entity allowlist        |                                  |         | uma entidade com 3 ofertas ativas |                                  |
      | entity blocklist        |                                  |         |                                  | uma entidade com 3 ofertas ativas |

  Cenário: O UPDATE do runbook no cache do exportador vale sozinho, sem esperar o CP
    Dado que o CP mantém para o relacionamento exportador → importador a export_policy:
      | campo              | valor |
      | exclude_categories | 15    |
    Quando eu forço no cache do exportador, pelo SQL do runbook, a export_policy:
      | campo              | valor |
      | include_categories | 15    |
    Então o exportador exporta exatamente as ofertas que a política deixa passar
    E o UPDATE continua valendo depois que o exportador puxa de novo o relacionamento do CP

  Cenário: A export_policy definida no CP chega sozinha ao exportador, sem o UPDATE do runbook
    Dado que o CP mantém para o relacionamento exportador → importador a export_policy:
      | campo              | valor |
      | exclude_categories | 15    |
    Quando eu aplico no relacionamento exportador → importador a export_policy:
      | campo              | valor |
      | include_categories | 15    |
    Então a política chegou ao exportador puxada do CP, sem o UPDATE do runbook
    E o exportador exporta exatamente as ofertas que a política deixa passar

  Cenário: Com a política desligada, o exportador exporta todas as ofertas ativas
    Quando eu aplico no relacionamento exportador → importador a export_policy:
      | campo              | valor |
      | enabled            | false |
      | exclude_categories | 15    |
    Então o exportador exporta todas as ofertas ativas do catálogo

  Esquema do Cenário: O que nega vence o que permite: <regra>
    Quando eu aplico no relacionamento exportador → importador a export_policy:
      | campo   | valor      |
      | <lista> | <valor>    |
      | <veto>  | <valor>    |
    Então o exportador exporta exatamente 0 ofertas

    Exemplos:
      | regra                                  | lista              | veto               | valor                             |
      | a blocklist vence a allowlist          | entity_allowlist   | entity_blocklist   | uma entidade com 3 ofertas ativas |
      | excluir uma categoria vence incluí-la  | include_categories | exclude_categories | 15                                |

  Esquema do Cenário: <regra>
    Quando eu aplico no relacionamento exportador → importador a export_policy:
      | campo              | valor     |
      | min_created_at     | <data>    |
      | include_categories | <incluir> |
      | entity_allowlist   | <permitir> |
    Então o exportador exporta exatamente as ofertas que a política deixa passar
    E o exportador exporta mais de 0 ofertas

    Exemplos:
      | regra                                                          | data                       | incluir | permitir                     |
      | min_created_at mantém só as ofertas criadas a partir daquele instante | a data mediana do catálogo |         |                              |
      | a lista de categorias e a allowlist de entidades se somam (E)   |                            | 15      | uma entidade da categoria 15 |

  Cenário: Ofertas inativas nunca são exportadas
    Quando eu aplico no relacionamento exportador → importador a export_policy:
      | campo              | valor |
      | exclude_categories | 15    |
    Então nenhuma oferta inativa do catálogo do exportador aparece na exportação

  Esquema do Cenário: Uma export_policy inválida é aceita com 200 e a anterior continua valendo: <defeito>
    Dado que o CP mantém para o relacionamento exportador → importador a export_policy:
      | campo              | valor |
      | exclude_categories | 15    |
    Quando eu envio ao CP a export_policy:
      | campo              | valor            |
      | exclude_categories | <excluir>        |
      | min_created_at     | <min_created_at> |
    Então o CP responde 200 e o relacionamento continua com a política anterior
    E o exportador continua exportando o total da política anterior

    Exemplos:
      | defeito                              | excluir | min_created_at      |
      | ids de categoria numéricos como [15] | [15]    |                     |
      | min_created_at sem o Z de UTC        | 15      | 2000-01-01T00:00:00 |
