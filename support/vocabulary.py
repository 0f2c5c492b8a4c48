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
CERTIFICADO = Vocabulary("Certificado", "o que o cliente apresenta no handshake TLS do endpoint de peer token",
                         {"nenhum certificado": "nenhum certificado",
                          "um certificado de outra CA": "certificado de outra CA",
                          "o certificado cliente do WL": "certificado do WL"})
CREDENCIAL = Vocabulary("Credencial", "o bearer de uma chamada à API admin do CP",
                        {"nenhum token": "sem token",
                         "um token forjado, assinado com outro segredo": "token forjado",
                         "o token do MASTER": "token do MASTER"})
TOKEN_FORJADO = Vocabulary("TokenForjado", "como a suíte estraga um peer token verdadeiro do CP",
                           {"assinado por outra chave, com o kid verdadeiro do CP": "assinado por outra chave",
                            "vencido há uma hora, assinado pela suíte": "vencido",
                            "com a validade adulterada depois da assinatura do CP": "adulterado"})
ACAO_COMPRA = Vocabulary("AcaoCompra", "uma chamada de compra do importador no exportador",
                         {"listar as compras pendentes": "listar as compras pendentes",
                          "fazer o preflight de uma compra": "fazer o preflight de uma compra"})
RECUSA = Vocabulary("Recusa", "o motivo de uma compra recusada no preflight (o texto vem do mapa da stack)",
                    {"preço atualizado": "wl.importer.buy_offer.msg_price_changed",
                     "oferta esgotada": "wl.importer.buy_offer.msg_out_of_stock"})
STATUS_TRADE = Vocabulary("StatusTrade", "o status de um trade (cross_wl_trade, CP)",
                          {"PENDING": "PENDING", "CONFIRMED": "CONFIRMED", "REJECTED": "REJECTED"})
STATUS_RELACIONAMENTO = Vocabulary("StatusRelacionamento", "o status de um relacionamento no CP (contrato do CP §4)",
                                   {"active": "active", "paused": "paused", "blocked": "blocked",
                                    "inactive": "inactive"})
ESCOPO = Vocabulary("Escopo", "um escopo de peer token",
                    {"offers:sync": "offers:sync", "trader:purchase": "trader:purchase"})
SENTIDO = Vocabulary("Sentido", "um dos dois relacionamentos entre os WLs do perfil",
                     {"exportador → importador": "exporter->importer",
                      "importador → exportador": "importer->exporter"})
VARIACAO = Vocabulary("Variacao", "para que lado o preço muda",
                      {"aumenta": 1, "sobe": 1, "reduz": -1, "baixa": -1})
DECISAO = Vocabulary("Decisao", "a decisão sobre um trade pendente",
                     {"aprova": "approve", "rejeita": "reject"})
QUEM_DECIDE = Vocabulary("QuemDecide", "onde a decisão de um trade é tomada",
                         {"o exportador": "exporter", "o CP": "cp"})
TELA_ADMIN = Vocabulary("TelaAdmin", "uma tela da Admin UI do CP",
                        {"negociações": "trades", "aprovações": "pending", "notificações": "notifications",
                         "relacionamentos": "relationships", "balança comercial": "balance"})

COMPARACAO = Vocabulary("Comparacao", "como um número observado se compara ao número escrito",
                        {"exatamente": "==", "pelo menos": ">=", "no máximo": "<=", "mais de": ">",
                         "menos de": "<"})

TYPES: tuple[Vocabulary, ...] = (COMPARACAO, PAPEL, CERTIFICADO, CREDENCIAL, TOKEN_FORJADO, ACAO_COMPRA, RECUSA, STATUS_TRADE,
                                 STATUS_RELACIONAMENTO, ESCOPO, SENTIDO, VARIACAO, DECISAO, QUEM_DECIDE, TELA_ADMIN)
BY_NAME = {v.name: v for v in TYPES}


def compare(observed: int, operator: str, written: int) -> bool:
    """`observed <operator> written`, for a COMPARACAO value."""
    return {"==": observed == written, ">=": observed >= written, "<=": observed <= written,
            ">": observed > written, "<": observed < written}[operator]


def converters() -> dict[str, object]:
    """Every vocabulary as a parse type converter, by name (the catalogue matches examples with them)."""
    return {v.name: v.converter() for v in TYPES}


def register() -> None:
    """Register every vocabulary as a behave type (idempotent)."""
    from behave import register_type

    register_type(**converters())


register()
