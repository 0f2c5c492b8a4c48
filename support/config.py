"""Profiles and settings.

A profile is a dotenv file `profiles/<perfil>.env`; environment variables override it. The profile is
chosen by `XPORY_PERFIL` (or `behave -D perfil=...`), default `embutido`. Every setting is declared
once in SETTINGS below (name, kind, example, meaning); a missing or malformed one raises ConfigError
naming the variable and an example value, before any scenario runs.
"""
from __future__ import annotations

import ipaddress
import os
import re
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from dotenv import dotenv_values

from .errors import ConfigError

ROOT = Path(__file__).resolve().parent.parent
PROFILES_DIR = ROOT / "profiles"
PROFILES = ("embutido", "embutido-b", "staging-local", "externo", "embutido-staging")
STACKS = ("embedded", "compose", "external")


@dataclass(frozen=True)
class Spec:
    name: str
    kind: str  # url | dsn | int | float | bool | str | secret | path | uuid | choice
    example: str
    meaning: str
    required: bool = True  # required once the stack is known (embedded fills the endpoints itself)
    choices: tuple[str, ...] = ()
    endpoint: bool = False  # filled by the embedded stack controller


SETTINGS: tuple[Spec, ...] = (
    Spec("XPORY_PERFIL", "choice", "embutido", "perfil ativo", choices=PROFILES),
    Spec("XPORY_STACK", "choice", "embedded", "controlador da stack: embedded (sandbox), compose (docker compose do runbook) ou external (só verifica saúde)", choices=STACKS),
    Spec("XPORY_RUNTIME_DIR", "path", ".xpory", "pasta de arquivos de execução (certificados, pgdata, logs)"),
    Spec("XPORY_REPORTS_DIR", "path", "reports", "pasta dos relatórios (JUnit, HTML, evidências)"),
    Spec("XPORY_CP_ADMIN_API", "url", "https://cp.localhost/admin/api", "API admin do CP", endpoint=True),
    Spec("XPORY_CP_URL", "url", "https://cp.localhost", "CP voltado aos WLs (mTLS: peer token, JWKS)", endpoint=True),
    Spec("XPORY_ADMIN_UI_URL", "url", "https://cp.localhost/admin/", "Admin UI", endpoint=True),
    Spec("XPORY_EXPORTER_URL", "url", "http://localhost:8081", "WL exportador", endpoint=True),
    Spec("XPORY_IMPORTER_URL", "url", "http://localhost:8090", "WL importador", endpoint=True),
    Spec("XPORY_STOREFRONT_URL", "url", "http://xpory.localhost", "loja (storefront) do importador", endpoint=True),
    Spec("XPORY_CA_FILE", "path", "/caminho/xpory-trader/traefik/certs/ca.crt", "CA que assina os certificados da stack", endpoint=True),
    Spec("XPORY_CLIENT_P12", "path", "/caminho/xpory-trader/traefik/certs/wl-client.p12", "certificado cliente do WL (PKCS#12)", endpoint=True),
    Spec("XPORY_CLIENT_P12_PASSWORD", "secret", "changeit", "senha do .p12"),
    Spec("XPORY_CP_DSN", "dsn", "postgresql://xpory_cp:supersecret@127.0.0.1:5433/xpory_cp", "banco do CP (xpory_cp)", endpoint=True),
    Spec("XPORY_EXPORTER_DSN", "dsn", "postgresql://postgres:postgres@127.0.0.1:5432/wl-01", "banco do exportador (wl-01)", endpoint=True),
    Spec("XPORY_IMPORTER_DSN", "dsn", "postgresql://postgres:postgres@127.0.0.1:5432/wl-03", "banco do importador (wl-03)", endpoint=True),
    Spec("XPORY_CP_DB_CONTAINER", "str", "xpory-cp-postgres", "contêiner do banco do CP: com ele, o SQL vai por `docker exec -i <contêiner> psql` (usuário e banco do XPORY_CP_DSN; nenhuma porta publicada)", required=False),
    Spec("XPORY_EXPORTER_DB_CONTAINER", "str", "postgres-db", "contêiner do banco do exportador, como no runbook (`docker exec -i postgres-db psql -U postgres -d wl-01`); usuário e banco do XPORY_EXPORTER_DSN", required=False),
    Spec("XPORY_IMPORTER_DB_CONTAINER", "str", "postgres-db", "contêiner do banco do importador, como no runbook; usuário e banco do XPORY_IMPORTER_DSN", required=False),
    Spec("XPORY_ADMIN_EMAIL", "str", "master@xpory.local", "usuário MASTER de bootstrap"),
    Spec("XPORY_ADMIN_PASSWORD", "secret", "changeit", "senha do usuário MASTER"),
    Spec("XPORY_TRADER_EMAIL", "str", "trader@xpory.local", "usuário TRADER de bootstrap"),
    Spec("XPORY_TRADER_PASSWORD", "secret", "changeit", "senha do usuário TRADER"),
    Spec("XPORY_MANAGER_EMAIL", "str", "manager@xpory.local",
         "usuário MANAGER de bootstrap (só para os passos que entram como MANAGER)", required=False),
    Spec("XPORY_MANAGER_PASSWORD", "secret", "changeit",
         "senha do usuário MANAGER (só para os passos que entram como MANAGER)", required=False),
    Spec("XPORY_EXPORTER_WL_ID", "uuid", "fd1a88a9-3a01-43bb-ae20-32618c1b3752", "id fixo do WL exportador"),
    Spec("XPORY_IMPORTER_WL_ID", "uuid", "2a6f8e2c-874c-4476-aac3-0d535fb52ac7", "id fixo do WL importador"),
    Spec("XPORY_EXPORTER_GATEWAY_URL", "url", "http://host.docker.internal:8081", "gatewayUrl do exportador gravado no CP", endpoint=True),
    Spec("XPORY_IMPORTER_GATEWAY_URL", "url", "http://host.docker.internal:8090", "gatewayUrl do importador gravado no CP", endpoint=True),
    Spec("XPORY_BUYER_ACCOUNT_ID", "int", "8780", "conta compradora em massa (wl-03)"),
    Spec("XPORY_BUYER_TOKEN", "secret", "codex-token-3", "token da conta compradora"),
    Spec("XPORY_BUYER_XBALANCE_ID", "int", "8772", "linha de saldo X$ da conta compradora"),
    Spec("XPORY_QA_ACCOUNT_ID", "int", "90805", "conta QA do preflight (wl-03)"),
    Spec("XPORY_QA_ENTITY_ID", "int", "90803", "entidade da conta QA"),
    Spec("XPORY_QA_TOKEN", "secret", "qa-preflight-token", "token da conta QA"),
    Spec("XPORY_HOLD_TTL_SECONDS", "float", "90", "TTL do hold de preflight no exportador"),
    Spec("XPORY_POLICY_WAIT_SECONDS", "float", "10", "quanto esperar o exportador aplicar a export_policy sozinho; 0 = aplicar já o UPDATE do runbook em cp_relationship_cache"),
    Spec("XPORY_RELATIONSHIP_PULL_TIMEOUT_SECONDS", "float", "300", "quanto esperar o exportador puxar o relacionamento do CP (a linha de cp_relationship_cache que o UPDATE do runbook altera)"),
    Spec("XPORY_TELEMETRY_TIMEOUT_SECONDS", "float", "60", "quanto esperar que o que um WL faz chegue aos outros: a telemetria no CP (trades, pendências, detalhes, notificações, o status do exportador) e o saldo do comprador no importador depois das decisões"),
    Spec("XPORY_UI_TIMEOUT_SECONDS", "float", "30", "prazo de cada ação e espera do navegador (Admin UI e loja)"),
    Spec("XPORY_HTTP_TIMEOUT_SECONDS", "float", "30", "timeout de cada chamada HTTP"),
    Spec("XPORY_STARTUP_TIMEOUT_SECONDS", "float", "30", "prazo para a stack responder no before_all"),
    Spec("XPORY_CP_RESTART_TIMEOUT_SECONDS", "float", "180", "prazo do restart do CP no reset (passo 1): o comando de restart, o CP voltar a servir o JWKS e o MASTER de bootstrap entrar de novo"),
    Spec("XPORY_IMPORT_TIMEOUT_SECONDS", "float", "120", "timeout do debug import do importador"),
    Spec("XPORY_ALLOW_REMOTE_RESET", "bool", "false", "permite TRUNCATE/UPDATE em bancos fora do loopback"),
    Spec("XPORY_PERMITIR_ALTERACOES_FORA_DO_RUNBOOK", "bool", "false", "roda os cenários @fora-do-runbook, que alteram dados além dos comandos do runbook (saldo e maturidade do comprador, preço e estoque da oferta de origem, checkout real da conta QA), guardando os valores originais em XPORY_RUNTIME_DIR antes e restaurando-os ao fim do cenário (ou no início da próxima execução, se esta for interrompida); false = esses cenários são pulados como não provados", required=False),
    Spec("XPORY_STACK_MAP", "path", "profiles/staging-local.mapa.toml", "mapa da stack: o arquivo com os nomes, chaves, rotas e textos que nem o runbook nem o contrato fixam (vazio = profiles/<perfil>.mapa.toml)", required=False),
    Spec("XPORY_TRADER_DIR", "path", "/home/andre/Trabalho/XporY/repos/github/xpory-trader", "checkout do xpory-trader (compose e certificados)", required=False),
    Spec("XPORY_COMPOSE_UP", "bool", "false", "no perfil staging-local: subir a stack com docker compose (passo 0) antes da suíte", required=False),
    Spec("XPORY_CP_RESTART_COMMAND", "str", "ssh staging docker compose -f /srv/xpory-trader/docker-compose.yml restart controlplane", "perfil externo: comando que reinicia o CP no reset (passo 1), executado sem shell; vazio = a stack externa não sabe reiniciar o CP e o reset para com uma mensagem", required=False),
    Spec("XPORY_BROWSER_PATH", "path", "/usr/bin/chromium", "Chromium do sistema (se o Playwright não tiver o dele); vazio = /usr/bin/chromium-headless-shell nas execuções headless, senão /usr/bin/chromium", required=False),
    Spec("XPORY_HEADED", "bool", "false", "abre o navegador com janela", required=False),
    Spec("XPORY_SLOWMO_MS", "int", "0", "atraso por ação do Playwright (ms)", required=False),
    Spec("XPORY_UI_TRACE_SCREENSHOTS", "bool", "false", "o trace do Playwright de um cenário @ui que falhou traz também o filme da tela (screencast); sem isso, traz os snapshots do DOM de cada ação (a captura de tela da falha é gravada sempre)", required=False),
    Spec("XPORY_PARALELO", "int", "2", "portão (.ci/portao, .ci/run): quantos trabalhadores do behave em paralelo, cada um com o seu sandbox (só no perfil embutido; 1 = sem paralelo)", required=False),
    Spec("XPORY_PARTE", "str", "1/2", "portão no CI: roda só a parte K de M das funcionalidades (um runner da matriz); as partes são juntadas com .ci/portao --juntar", required=False),
    Spec("XPORY_SANDBOX_RELATIONSHIP_POLL_SECONDS", "float", "0.5", "embutido: intervalo com que o exportador do sandbox puxa o relacionamento do CP", required=False),
    Spec("XPORY_SANDBOX_PEER_TOKEN_TTL_SECONDS", "int", "3", "embutido: validade dos peer tokens que o CP do sandbox emite (o JWT_TTL_SECONDS do CP real, 300 por padrão): curta, para o cenário do peer token vencido esperar pouco", required=False),
    Spec("XPORY_SANDBOX_CP_START_DELAY_SECONDS", "float", "0", "embutido: segundos que o CP do sandbox leva para subir antes de atender, a cada início e restart (simula um CP Grails rodando o Liquibase; o embutido-staging usa 30)", required=False),
    Spec("XPORY_SANDBOX_UP_ARGS", "str", "--variante b", "embutido: argumentos a mais para `python -m sandbox up` (divididos como no shell, postos depois dos que a suíte passa, então prevalecem); os tempos que o sandbox de fato usa voltam no arquivo de endpoints", required=False),
)
SPEC_BY_NAME = {spec.name: spec for spec in SETTINGS}
SECRET_NAMES = tuple(spec.name for spec in SETTINGS if spec.kind == "secret")


def _without_password(raw: str) -> str:
    """A URL/DSN with its password (user:***@ or ?password=***) hidden."""
    hidden = re.sub(r"(://[^/?#@\s]*?:)[^/?#\s]*@", r"\1***@", raw)
    return re.sub(r"(?i)([?&]password=)[^&#\s]*", r"\1***", hidden)


def _invalid(spec: Spec, raw: str, why: str) -> ConfigError:
    shown = "***" if spec.kind == "secret" else repr(_without_password(raw) if spec.kind in ("url", "dsn") else raw)
    return ConfigError(
        f"Configuração inválida: {spec.name}={shown} "
        f"({why}). Exemplo: {spec.name}={spec.example}"
    )


# One parser per Spec.kind: (stripped value, spec, bad) -> value; `bad(why)` is the ConfigError to raise.
Bad = Callable[[str], ConfigError]


def _choice(value: str, spec: Spec, bad: Bad) -> str:
    if value not in spec.choices:
        raise bad("valores aceitos: " + ", ".join(spec.choices))
    return value


def _int(value: str, spec: Spec, bad: Bad) -> int:
    try:
        return int(value)
    except ValueError:
        raise bad("não é um número inteiro") from None


def _float(value: str, spec: Spec, bad: Bad) -> float:
    try:
        number = float(value)
    except ValueError:
        raise bad("não é um número") from None
    if number < 0:
        raise bad("não pode ser negativo")
    return number


def _bool(value: str, spec: Spec, bad: Bad) -> bool:
    lowered = value.lower()
    if lowered in ("1", "true", "sim", "yes", "on"):
        return True
    if lowered in ("0", "false", "nao", "não", "no", "off", ""):
        return False
    raise bad("use true ou false")


def _uuid(value: str, spec: Spec, bad: Bad) -> str:
    try:
        uuid.UUID(value)
    except ValueError:
        raise bad("não é um UUID") from None
    return value


def _url(value: str, spec: Spec, bad: Bad) -> str:
    parsed = urlparse(value)
    if parsed.scheme not in ("http", "https") or not parsed.hostname:
        raise bad("não é uma URL http(s) completa")
    return value.rstrip("/") if not value.endswith("/admin/") else value


def _dsn(value: str, spec: Spec, bad: Bad) -> str:
    parsed = urlparse(value)
    if parsed.scheme not in ("postgresql", "postgres") or not parsed.hostname or len(parsed.path) < 2:
        raise bad("não é um DSN postgresql://usuário@host:porta/banco")
    return value


_PARSERS: dict[str, Callable[[str, Spec, Bad], Any]] = {
    "str": lambda value, spec, bad: value,
    "secret": lambda value, spec, bad: value,
    "path": lambda value, spec, bad: Path(value).expanduser(),
    "choice": _choice,
    "int": _int,
    "float": _float,
    "bool": _bool,
    "uuid": _uuid,
    "url": _url,
    "dsn": _dsn,
}


def _parse(spec: Spec, raw: str) -> Any:
    parser = _PARSERS.get(spec.kind)
    if parser is None:
        raise AssertionError(spec.kind)
    return parser(raw.strip(), spec, lambda why: _invalid(spec, raw, why))


@dataclass(frozen=True)
class Config:
    """The resolved settings of one run (attribute = setting name without XPORY_, lower-case)."""

    values: Mapping[str, Any]
    profile_file: Path | None = None
    sources: Mapping[str, str] = field(default_factory=dict)

    def __getattr__(self, item: str) -> Any:
        key = "XPORY_" + item.upper()
        values = object.__getattribute__(self, "values")
        if key in values:
            return values[key]
        if key in SPEC_BY_NAME:
            raise ConfigError(
                f"Configuração ausente: {key}. Exemplo: {key}={SPEC_BY_NAME[key].example} "
                f"({SPEC_BY_NAME[key].meaning})"
            )
        raise AttributeError(item)

    def __getitem__(self, name: str) -> Any:
        return getattr(self, name.removeprefix("XPORY_").lower())

    def get(self, name: str, default: Any = None) -> Any:
        return self.values.get(name, default)

    def with_values(self, **updates: Any) -> Config:
        merged = dict(self.values)
        for name, raw in updates.items():
            spec = SPEC_BY_NAME[name]
            merged[name] = _parse(spec, str(raw)) if isinstance(raw, str) else raw
        return replace(self, values=merged)

    def require_all(self) -> None:
        """Every required setting present (after the stack controller filled the endpoints)."""
        missing = [s for s in SETTINGS if s.required and s.name not in self.values]
        if missing:
            first = missing[0]
            names = ", ".join(s.name for s in missing)
            raise ConfigError(
                f"Configuração ausente: {names}. Defina no perfil profiles/{self.values.get('XPORY_PERFIL')}.env "
                f"ou no ambiente; exemplo: {first.name}={first.example}"
            )

    def secrets(self) -> list[str]:
        """Secret values of this run, for masking."""
        return [str(self.values[n]) for n in SECRET_NAMES if self.values.get(n)]

    def path(self, name: str) -> Path:
        """A path setting resolved against the repository root."""
        value = Path(self.values[name])
        return value if value.is_absolute() else ROOT / value


def load(profile: str | None = None, environ: Mapping[str, str] | None = None,
         profiles_dir: Path = PROFILES_DIR) -> Config:
    """Load `profiles/<profile>.env`, let the environment override it, parse and validate."""
    env = dict(os.environ if environ is None else environ)
    chosen = profile or env.get("XPORY_PERFIL") or "embutido"
    if chosen not in PROFILES:
        raise ConfigError(
            f"Perfil desconhecido: XPORY_PERFIL={chosen!r}. Perfis: {', '.join(PROFILES)}. "
            "Exemplo: XPORY_PERFIL=embutido"
        )
    profile_file = profiles_dir / f"{chosen}.env"
    if not profile_file.is_file():
        raise ConfigError(f"Arquivo do perfil {chosen!r} não encontrado: {profile_file}")
    raw: dict[str, str] = {k: v for k, v in dotenv_values(profile_file).items() if v is not None}
    sources = {k: str(profile_file.name) for k in raw}
    local = profiles_dir / f"{chosen}.local.env"
    if local.is_file():
        for key, value in dotenv_values(local).items():
            if value is not None:
                raw[key], sources[key] = value, local.name
    for key, value in env.items():
        if key.startswith("XPORY_"):
            raw[key], sources[key] = value, "ambiente"
    raw["XPORY_PERFIL"] = chosen
    unknown = sorted(k for k in raw if k not in SPEC_BY_NAME)
    if unknown:
        raise ConfigError(
            f"Configuração desconhecida: {', '.join(unknown)}. Confira o nome no README (seção Configurações)."
        )
    values: dict[str, Any] = {}
    for name, text in raw.items():
        if text.strip() == "" and SPEC_BY_NAME[name].kind not in ("bool",):
            continue  # an empty value counts as absent
        values[name] = _parse(SPEC_BY_NAME[name], text)
    config = Config(values=values, profile_file=profile_file, sources=sources)
    if config.get("XPORY_STACK") is None:
        raise ConfigError(f"Configuração ausente: XPORY_STACK no perfil {profile_file.name}. Exemplo: XPORY_STACK=embedded")
    if config.stack != "embedded":
        config.require_all()
    else:
        _refuse_endpoints(config)
    return config


def _refuse_endpoints(config: Config) -> None:
    """The embedded stack fills every endpoint itself: one given by the profile or the environment would be
    silently replaced (a CA file the suite would never use), so it is refused, naming where it came from."""
    given = [s.name for s in SETTINGS if s.endpoint and s.name in config.values]
    if not given:
        return
    where = ", ".join(f"{name} (de {config.sources.get(name, 'ambiente')})" for name in given)
    certificates = (" A stack embutida gera a própria CA e o próprio certificado cliente (python -m sandbox up)."
                    if {"XPORY_CA_FILE", "XPORY_CLIENT_P12"} & set(given) else "")
    raise ConfigError(
        f"Configuração que não se aplica ao perfil {config.values.get('XPORY_PERFIL')} (XPORY_STACK=embedded): {where}. "
        f"O sandbox embutido preenche URLs, DSNs e certificados sozinho.{certificates} Tire essa configuração do "
        "ambiente ou do perfil, ou use um perfil que aponte para outra stack (exemplo: XPORY_PERFIL=externo)."
    )


def is_loopback(host: str | None) -> bool:
    if not host:
        return True  # a Unix socket
    if host in ("localhost",) or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
