# language: pt
@export_policy
Funcionalidade: Autoria — export_policies que combinam campos
  Escritos só a partir de docs/passos.md: a tabela da export_policy aceita qualquer combinação de campos,
  com ids ou referências aos dados da stack, e a exportação esperada é prevista pela própria suíte.

  Contexto:
    Dado que o ambiente passou pelo reset completo do runbook

  Esquema do Cenário: Qualquer combinação de campos é prevista: <caso>
    Quando eu aplico no relacionamento exportador → importador a export_policy:
      | campo              | valor      |
      | include_categories | <incluir>  |
      | exclude_categories | <excluir>  |
      | entity_allowlist   | <permitir> |
      | entity_blocklist   | <bloquear> |
      | min_created_at     | <desde>    |
    Então o exportador exporta exatamente as ofertas que a política deixa passar

    Exemplos:
      | caso                                      | incluir                                 | excluir | permitir                                          | bloquear                           | desde                      |
      | a maior categoria sem a maior entidade    | a categoria com mais ofertas ativas     |         |                                                   | a entidade com mais ofertas ativas |                            |
      | duas categorias a partir da data mediana  | a categoria com mais ofertas ativas, 15 |         |                                                   |                                    | a data mediana do catálogo |
      | uma entidade da maior categoria, sem a 15 |                                         | 15      | uma entidade da categoria com mais ofertas ativas |                                    |                            |
      | a menor categoria desde a oferta mais antiga | a categoria com menos ofertas ativas |         |                                                   |                                    | a data da oferta mais antiga do catálogo |

  Cenário: Nada criado a partir de amanhã é exportado
    Quando eu aplico no relacionamento exportador → importador a export_policy:
      | campo          | valor  |
      | min_created_at | amanhã |
    Então o exportador exporta exatamente 0 ofertas
    E o exportador exporta exatamente as ofertas que a política deixa passar
