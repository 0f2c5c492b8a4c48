"""The closed vocabularies of the step language: every typed parameter (`{papel:Papel}`) and the values
it accepts, as data.

Each `Vocabulary` becomes a behave type (`register_type`, done on import): its pattern accepts exactly
its phrases, with or without accents and in any case, so a value outside the list leaves the step
UNDEFINED at `behave --dry-run` time (never a runtime "unknown value" error). The converter hands the
step the phrase's value (a constant the step passes on to support/). The catalogue (tools/catalogo.py)
reads `TYPES` to list every accepted value of every typed parameter.

Only the standard library and behave: the catalogue imports this module without a stack.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from .text import _ACCENTED, fold


def _letter(ch: str) -> str:
    """A regex class for one character: both cases, with or without an accent."""
    base = fold(ch)
    if ch == " ":
        return r"\s+"
    variants = {ch, ch.lower(), ch.upper(), base, base.upper()}
    for plain, accented in _ACCENTED.items():
        if base == plain:
            variants |= set(accented) | {a.upper() for a in accented}
    if len(variants) == 1:
        return re.escape(ch)
    return "[" + "".join(re.escape(v) for v in sorted(variants)) + "]"


def tolerant_pattern(phrase: str) -> str:
    """`phrase` as a regex without groups that ignores case and accents (behave's parse matcher is
    case-sensitive, so the pattern carries both cases itself)."""
    return "".join(_letter(ch) for ch in re.sub(r"\s+", " ", phrase.strip()))


@dataclass(frozen=True)
class Vocabulary:
    name: str  # the type's name in step patterns: {param:<name>}
    meaning: str  # what the parameter stands for, in Portuguese (the catalogue's text)
    values: dict[str, object]  # accepted phrase -> the value the step receives

    def convert(self, text: str) -> object:
        folded = fold(text)
        for phrase, value in self.values.items():
            if fold(phrase) == folded:
                return value
        raise ValueError(f"{self.name}: {text!r} não é um destes: {', '.join(self.values)}")

    def converter(self):
        def convert(text: str) -> object:
            return self.convert(text)

        phrases = sorted(self.values, key=len, reverse=True)  # the longest alternative first
        convert.pattern = "|".join(f"(?:{tolerant_pattern(p)})" for p in phrases)
        convert.regex_group_count = 0
        return convert


PAPEL = Vocabulary("Papel", "um papel de usuário do CP (AdminUser.role)",
                   {"MASTER": "MASTER", "MANAGER": "MANAGER", "TRADER": "TRADER"})
COMPARACAO = Vocabulary("Comparacao", "como um número observado se compara ao número escrito",
                        {"exatamente": "==", "pelo menos": ">=", "no máximo": "<=", "mais de": ">",
                         "menos de": "<"})
SENTIDO = Vocabulary("Sentido", "um dos dois relacionamentos entre os WLs do perfil",
                     {"exportador → importador": "exporter->importer",
                      "importador → exportador": "importer->exporter"})
SNAPSHOT = Vocabulary("Snapshot", "um snapshot do exportador no CP",
                      {"as categorias": "categories", "as entidades": "entities"})
ESCOPOS_DO_TOKEN = Vocabulary("EscoposDoToken", "com que escopos o CP emite o peer token do importador",
                              {"para importar do exportador": ("offers:sync", "trader:purchase"),
                               'só com o escopo "offers:sync"': ("offers:sync",),
                               'só com o escopo "trader:purchase"': ("trader:purchase",)})
ESCOPO = Vocabulary("Escopo", "um escopo de peer token",
                    {"offers:sync": "offers:sync", "trader:purchase": "trader:purchase"})
QUEM_DECIDE = Vocabulary("QuemDecide", "onde a decisão de um trade é tomada",
                         {"o exportador": "exporter", "o CP": "cp"})
STATUS_TRADE = Vocabulary("StatusTrade", "o status de um trade (cross_wl_trade, CP)",
                          {"PENDING": "PENDING", "CONFIRMED": "CONFIRMED", "REJECTED": "REJECTED"})
PASSO_DO_RUNBOOK = Vocabulary(
    "PassoDoRunbook", "uma ação do reset do runbook (passos 1 a 6), feita agora",
    {"limpo os dados do CP e reinicio o CP": "clean_cp",
     "limpo os caches, os trades e as importações dos WLs": "clean_wls",
     'cadastro os WLs "wl-exporter" e "wl-importer" pela API admin': "create_wls",
     "configuro a visibilidade mútua entre os dois WLs": "visibility",
     "ativo os relacionamentos exportador → importador e importador → exportador": "relationships",
     "cadastro as contas trader dos dois WLs": "traders",
     "sincronizo no CP as categorias e as entidades do exportador": "sync",
     "executo o debug import no importador com um peer token novo": "debug_import",
     "executo o reset completo do runbook": "full_reset"})
FASE_DO_RESET = Vocabulary(
    "FaseDoReset", "uma fase do reset do runbook (support/reset/phases.py) em que o cenário começa",
    {"os WLs exportador e importador existem no CP com os ids fixos": "WLs recriados com ids fixos",
     "os relacionamentos entre os WLs estão ativos": "visibilidade, relacionamentos e contas trader",
     "os snapshots do exportador estão sincronizados no CP": "snapshots sincronizados",
     'o exportador aplica a export_policy que exclui a categoria "15"': "export_policy ampla aplicada no exportador"})
PRECONDICAO_QUEBRADA = Vocabulary(
    "PrecondicaoQuebrada", "uma pré-condição de compra do comprador em massa, quebrada de propósito (@fora-do-runbook)",
    {"o saldo X$ do comprador é menor que o preço da oferta": "low_balance",
     "os dados de maturidade X$ do comprador foram apagados": "no_maturity",
     "o INSERT de privilégios do runbook rodou de novo para o comprador": "duplicated_privileges"})
VARIACAO = Vocabulary("Variacao", "para que lado o preço muda",
                      {"aumenta": 1, "sobe": 1, "reduz": -1, "baixa": -1})
RECUSA = Vocabulary("Recusa", "o motivo de uma compra recusada no preflight (o texto vem do mapa da stack)",
                    {"preço atualizado": "wl.importer.buy_offer.msg_price_changed",
                     "oferta esgotada": "wl.importer.buy_offer.msg_out_of_stock"})
CHECKOUT = Vocabulary("Checkout", "como o checkout do importador é chamado (Idempotency-Key e holdId da reserva)",
                      {"com uma Idempotency-Key nova e o holdId da reserva": ("nova", True),
                       "sem Idempotency-Key": (None, True),
                       "com uma Idempotency-Key nova e sem holdId": ("nova", False),
                       "de novo, com a mesma Idempotency-Key e o holdId da reserva": ("mesma", True)})
CONSULTA_ADMIN = Vocabulary("ConsultaAdmin", "uma leitura da API admin do CP (GET)",
                            {"os trades pendentes": "/trades/pending", "os usuários do CP": "/users",
                             "os white labels": "/wls", "as notificações": "/notifications",
                             "os relacionamentos": "/relationships"})
CERTIFICADO = Vocabulary("Certificado", "o que o cliente apresenta no handshake TLS do endpoint de peer token",
                         {"nenhum certificado": "nenhum certificado",
                          "um certificado de outra CA": "certificado de outra CA",
                          "o certificado cliente do WL": "certificado do WL"})
CREDENCIAL = Vocabulary("Credencial", "o bearer de uma chamada à API admin do CP",
                        {"nenhum token": "sem token",
                         "um token forjado, assinado com outro segredo": "token forjado",
                         "o token do MASTER": "token do MASTER"})
TOKEN_NO_DEBUG_IMPORT = Vocabulary(
    "TokenNoDebugImport", "o token do cenário no debug import: tal qual, ou um peer token verdadeiro que a suíte "
    "estraga (a suíte não conhece as chaves do CP)",
    {"token": None,
     "peer token assinado por outra chave, com o kid verdadeiro do CP": "assinado por outra chave",
     "peer token vencido há uma hora, assinado pela suíte": "vencido",
     "peer token com a validade adulterada depois da assinatura do CP": "adulterado"})
AVISO_DA_LOJA = Vocabulary("AvisoDaLoja", "como a loja avisa o comprador",
                           {"o aviso": "dialog", "o alerta": "alert"})
ACAO_COMPRA = Vocabulary("AcaoCompra", "uma chamada de compra do importador no exportador",
                         {"listar as compras pendentes": "listar as compras pendentes",
                          "fazer o preflight de uma compra": "fazer o preflight de uma compra"})
TOKEN_FORA_DO_LUGAR = Vocabulary(
    "TokenForaDoLugar", "um token verdadeiro, assinado pelo CP, de um tipo ou de um dono que não serve aqui "
    "(support/token_misuse.py)",
    {phrase: phrase for phrase in (
        'o token de WL do importador, emitido pelo CP com o escopo "trader:purchase"',
        'o token de WL do importador, emitido pelo CP com o escopo "offers:sync"',
        "o token de admin do MASTER",
        "um peer token verdadeiro que o exportador pediu ao CP para chamar o importador")})
USO_DO_TOKEN = Vocabulary("UsoDoToken", "quem usa o token que o cenário guardou",
                          {"o importador usa esse peer token": "importador", "alguém usa esse token": "alguém"})
CHAMADA_COM_TOKEN = Vocabulary("ChamadaComToken", "uma chamada repetível com o peer token do cenário",
                               {phrase: phrase for phrase in ("listar as compras pendentes no exportador",
                                                              "importar as ofertas do exportador pelo debug import")})
CONTADOR = Vocabulary("Contador", "um contador que a suíte lê (o de antes vem do primeiro passo que age sobre ele)",
                      {"de pendentes da tela de aprovações": "pending-screen", "de pendentes do CP": "pending-cp",
                       "de não lidas da tela de notificações": "unread-screen"})
TELA_DA_ADMIN = Vocabulary(  # literal entry names: the readiness derivation (support/stackmap/needs.py) reads them
    "TelaDaAdmin", "uma tela da Admin UI do CP (rota e título vêm do mapa da stack)",
    {"de negociações": ("ui.admin.route.trades", "ui.admin.heading.trades"),
     "de aprovações": ("ui.admin.route.pending", "ui.admin.heading.pending"),
     "de notificações": ("ui.admin.route.notifications", "ui.admin.heading.notifications"),
     "de balança comercial": ("ui.admin.route.balance", "ui.admin.heading.balance"),
     "de relacionamentos": ("ui.admin.route.relationships", "ui.admin.heading.relationships")})
TELA_COM_TABELA = Vocabulary(
    "TelaComTabela", "uma tela da Admin UI que mostra uma tabela (título e tabela vêm do mapa da stack)",
    {"de negociações": ("ui.admin.heading.trades", "ui.admin.trades.table"),
     "de aprovações": ("ui.admin.heading.pending", "ui.admin.pending.table"),
     "de relacionamentos": ("ui.admin.heading.relationships", "ui.admin.relationships.table")})

TYPES: tuple[Vocabulary, ...] = (PAPEL, COMPARACAO, SENTIDO, SNAPSHOT, ESCOPOS_DO_TOKEN, ESCOPO, QUEM_DECIDE,
                                 STATUS_TRADE, PASSO_DO_RUNBOOK, FASE_DO_RESET, PRECONDICAO_QUEBRADA, VARIACAO,
                                 RECUSA, CHECKOUT, CONSULTA_ADMIN, CERTIFICADO, CREDENCIAL, TOKEN_NO_DEBUG_IMPORT,
                                 AVISO_DA_LOJA, ACAO_COMPRA, TOKEN_FORA_DO_LUGAR, USO_DO_TOKEN, CHAMADA_COM_TOKEN,
                                 TELA_DA_ADMIN, TELA_COM_TABELA, CONTADOR)
BY_NAME = {v.name: v for v in TYPES}


def compare(observed: int, operator: str, written: int) -> bool:
    """`observed <operator> written`, for a COMPARACAO value."""
    return {"==": observed == written, ">=": observed >= written, "<=": observed <= written,
            ">": observed > written, "<": observed < written}[operator]


@dataclass(frozen=True)
class OpenType:
    """A typed parameter that is not a closed list (a quantity, an amount): its pattern and what it accepts."""
    name: str
    meaning: str
    accepts: str  # how to write it, in Portuguese (the catalogue's text)
    pattern: str
    convert: object


def _units(text: str) -> int:
    return int(text.split()[0])


def _money(text: str):
    from decimal import Decimal

    return Decimal(text.replace("R$", "").replace("X$", "").strip().replace(".", "").replace(",", "."))


OPEN_TYPES: tuple[OpenType, ...] = (
    OpenType("Unidades", "uma quantidade de unidades", "`1 unidade`, `3 unidades`", r"\d+\s+unidades?", _units),
    OpenType("Compras", "quantas compras pendentes o comprador fez",
             "`1 compra que aguarda`, `6 compras que aguardam`", r"\d+\s+compras?\s+que\s+aguardam?", _units),
    OpenType("Dinheiro", "um valor em dinheiro, com vírgula decimal", "`12,50`, `1.200,00`, `X$ 99,90`",
             r"(?:[RX]\$\s*)?\d{1,3}(?:\.\d{3})*(?:,\d{1,2})?", _money),
)


def converters() -> dict[str, object]:
    """Every vocabulary and open type as a parse type converter, by name (the catalogue matches examples
    with them)."""
    found = {v.name: v.converter() for v in TYPES}
    for open_type in OPEN_TYPES:
        def convert(text: str, _convert=open_type.convert):
            return _convert(text)

        convert.pattern = open_type.pattern
        convert.regex_group_count = 0
        found[open_type.name] = convert
    return found


def register() -> None:
    """Register every vocabulary as a behave type (idempotent)."""
    from behave import register_type

    register_type(**converters())


register()
