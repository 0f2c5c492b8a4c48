# language: pt
@reset
Funcionalidade: Reset completo do ambiente CP + WLs (runbook, passos 0 a 6)
  Para validar trocas entre white labels a partir de um estado conhecido
  Como QA da XporY
  Quero limpar o CP e os WLs e recriar pela API os WLs, as políticas, os relacionamentos e as contas trader,
  sincronizar os snapshots do exportador e importar as ofertas no importador

  Contexto:
    Dado que a stack XporY está no ar

  Cenário: A limpeza do CP não deixa dados antigos e traz de volta os usuários de bootstrap
    Dado que o CP guarda white labels, trades, notificações e snapshots de uma execução anterior
    Quando eu limpo os dados do CP e reinicio o CP
    Então nenhuma das 15 tabelas cp_* guarda dados da execução anterior
    E os usuários de bootstrap MASTER, TRADER e MANAGER voltaram e entram com a senha padrão

  Cenário: A limpeza dos WLs apaga caches, trades e importações e preserva catálogo e contas
    Dado que os WLs guardam caches e ofertas importadas de uma execução anterior
    Quando eu limpo os caches, os trades e as importações dos WLs
    Então as tabelas de cache, de trades e de importação dos dois WLs estão vazias
    E o catálogo de ofertas do exportador e as contas compradoras do importador continuam lá

  Cenário: Os WLs são recriados com os ids fixos do perfil, mesmo quando o CP descarta o id enviado
    Dado que o CP acabou de ser limpo e reiniciado
    Quando eu cadastro os WLs "wl-exporter" e "wl-importer" pela API admin
    Então o CP lista exatamente os WLs "wl-exporter" e "wl-importer", com os ids fixos do perfil
    E nenhum id gerado pelo CP no cadastro sobrou na lista de WLs

  Cenário: Visibilidade mútua, relacionamentos ativos nos dois sentidos e contas trader
    Dado que os WLs exportador e importador existem no CP com os ids fixos
    Quando eu configuro a visibilidade mútua entre os dois WLs
    E eu ativo os relacionamentos exportador → importador e importador → exportador
    E eu cadastro as contas trader dos dois WLs
    Então a política assinada de cada WL enxerga o outro WL
    E os dois relacionamentos estão ativos, com câmbio 1 e limite 100000
    E cada WL tem sua conta trader ativa, com e-mail e telefone de contato

  Cenário: Os snapshots de categorias e entidades do exportador chegam ao CP com as contagens de ofertas ativas
    Dado que os relacionamentos entre os WLs estão ativos
    Quando eu sincronizo no CP as categorias e as entidades do exportador
    Então o CP lista as categorias do exportador, cada uma com sua contagem de ofertas ativas
    E o CP lista as entidades do exportador, cada uma com sua contagem de ofertas ativas
    E a categoria "15" do exportador é "Alimentação" e tem ofertas ativas
    E a soma das ofertas ativas das categorias é o total que o exportador exporta sem export_policy

  Cenário: A export_policy que exclui a categoria "15" chega ao exportador
    Dado que os snapshots do exportador estão sincronizados no CP
    Quando eu aplico no relacionamento exportador → importador a export_policy:
      | campo              | valor |
      | exclude_categories | 15    |
    Então o CP devolve o relacionamento assinado com essa export_policy
    E o exportador exporta exatamente as ofertas que a política deixa passar
    E a categoria "15" do exportador é "Alimentação" e tem ofertas ativas

  @mtls
  Cenário: O importador obtém um peer token para o exportador via mTLS
    Dado que o exportador e o importador estão cadastrados no CP com o relacionamento ativo
    E os dois relacionamentos estão ativos, com câmbio 1 e limite 100000
    Quando o importador pede ao CP um peer token para o exportador, apresentando o certificado cliente
    Então o CP emite um token RS256 cuja chave está publicada no JWKS
    E o token vale para o exportador, em nome do importador, com os escopos pedidos, por no máximo 300 segundos

  Cenário: O debug import traz ao importador pelo menos 20 ofertas compráveis
    Dado que o exportador aplica a export_policy que exclui a categoria "15"
    Quando eu executo o debug import no importador com um peer token novo
    Então o importador não descobre mais do que o exportador exporta, e nada quando ele não exporta nada
    E o importador tem pelo menos 20 ofertas importadas elegíveis, habilitadas e com estoque
    E nenhuma oferta importada é da categoria "15"

  Cenário: O reset completo deixa o ambiente pronto para as trocas
    Quando eu executo o reset completo do runbook
    Então o CP lista exatamente os WLs "wl-exporter" e "wl-importer", com os ids fixos do perfil
    E o importador tem pelo menos 20 ofertas importadas elegíveis, habilitadas e com estoque
