"""Deterministic seed of the WL databases (shaped like the 2026-01-06 staging data, not a copy of it).

Exporter (`wl-01`): ~2,000 active offers and some inactive ones over ~40 categories and ~120 entities;
category "15" "Alimentação" has a few dozen active offers, category "1029401" only inactive ones,
entity "7739330" "A3Negocios" exactly 3 active offers. About one offer in six has no description
(an "incomplete" offer: exported, but not discovered by the importer, see DECISIONS.md).

Importer (`wl-03`): the runbook's buyers 8780 (token `codex-token-3`, X$ row `xbalance.id=8772`) and
90805 (`qa.preflight@xpory.local`, entity 90803, token `qa-preflight-token`, X$ and R$ 5000), each with
one `account_privileges` row (buy_offer=true) and X$ maturity rows; plus a small local catalogue.

Everything comes from `random.Random(SEED)` and fixed dates, so two seeds are identical.
"""
from __future__ import annotations

import datetime as dt
import random
import uuid
from decimal import Decimal

SEED = 20260106
UTC = dt.UTC
EPOCH_START = dt.datetime(2024, 1, 1, tzinfo=UTC)
EPOCH_END = dt.datetime(2026, 1, 5, 18, 0, tzinfo=UTC)
SEED_TIME = dt.datetime(2026, 1, 6, 9, 0, tzinfo=UTC)

FOOD_CATEGORY = ("15", "Alimentação")
EMPTY_CATEGORY = ("1029401", "Eletrônicos Importados")
THREE_OFFER_ENTITY = ("7739330", "A3Negocios")

CATEGORY_NAMES = [
    "Serviços Gráficos", "Hotelaria", "Publicidade", "Informática", "Saúde e Bem-estar", "Educação",
    "Construção", "Automotivo", "Vestuário", "Turismo", "Eventos", "Consultoria", "Odontologia",
    "Beleza e Estética", "Academias", "Restaurantes", "Material de Escritório", "Móveis", "Decoração",
    "Eletrodomésticos", "Pet Shop", "Jurídico", "Contabilidade", "Transporte", "Limpeza", "Segurança",
    "Fotografia", "Música", "Esportes", "Brinquedos", "Jardinagem", "Marketing Digital", "Engenharia",
    "Papelaria", "Calçados", "Joias e Relógios", "Óticas",
]
ENTITY_WORDS_A = ["Alfa", "Brasil", "Central", "Delta", "Estrela", "Forte", "Global", "Horizonte", "Ideal",
                  "Júpiter", "Líder", "Mega", "Norte", "Ômega", "Prime", "Real", "Sul", "Top", "União", "Vale"]
ENTITY_WORDS_B = ["Comércio", "Serviços", "Soluções", "Distribuidora", "Indústria", "Negócios", "Empreendimentos",
                  "Representações", "Trading", "Atacado"]
ENTITY_SUFFIX = ["Ltda", "ME", "EIRELI", "S.A."]
OFFER_NOUNS = ["Pacote", "Kit", "Voucher", "Serviço", "Combo", "Sessão", "Plano", "Caixa", "Cesta", "Diária",
               "Consultoria", "Assinatura", "Lote", "Jogo", "Conjunto"]
OFFER_ADJ = ["Premium", "Básico", "Executivo", "Familiar", "Completo", "Especial", "Econômico", "Plus",
             "Master", "Essencial", "Deluxe", "Express"]


def _ts(rng: random.Random) -> dt.datetime:
    span = (EPOCH_END - EPOCH_START).total_seconds()
    return EPOCH_START + dt.timedelta(seconds=int(rng.random() * span))


def _price(rng: random.Random) -> Decimal:
    cents = int(rng.triangular(5, 3000, 120) * 100)
    return Decimal(cents) / 100


def _phone(rng: random.Random) -> str:
    return f"+55 11 9{rng.randint(1000, 9999)}-{rng.randint(1000, 9999)}"


def _uuid(name: str) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"xpory-sandbox:{name}"))


def seed(conn, role: str, settings=None) -> None:
    """Fill a freshly created WL database (`conn` is a psycopg connection; the caller commits)."""
    if role == "exporter":
        _seed_exporter(conn, settings)
    elif role == "importer":
        _seed_importer(conn, settings)
    else:
        raise ValueError(f"unknown WL role {role!r} (expected 'exporter' or 'importer')")


# ------------------------------------------------------------------------------------------ exporter
def _seed_exporter(conn, settings) -> None:
    rng = random.Random(SEED)
    wl_id = getattr(settings, "exporter_wl_id", None) or "fd1a88a9-3a01-43bb-ae20-32618c1b3752"

    categories = [FOOD_CATEGORY, EMPTY_CATEGORY]
    used = {FOOD_CATEGORY[0], EMPTY_CATEGORY[0]}
    for name in CATEGORY_NAMES:
        cid = str(rng.randint(2, 999))
        while cid in used:
            cid = str(rng.randint(2, 999))
        used.add(cid)
        categories.append((cid, name))

    entities = [(THREE_OFFER_ENTITY[0], THREE_OFFER_ENTITY[1], _phone(rng), "contato@a3negocios.com.br")]
    used_e = {THREE_OFFER_ENTITY[0]}
    names = set()
    while len(entities) < 120:
        eid = str(rng.randint(7000000, 7999999))
        name = f"{rng.choice(ENTITY_WORDS_A)} {rng.choice(ENTITY_WORDS_B)} {rng.choice(ENTITY_SUFFIX)}"
        if eid in used_e or name in names:
            continue
        used_e.add(eid)
        names.add(name)
        slug = name.split()[0].lower()
        entities.append((eid, name, _phone(rng), f"contato@{slug}{len(entities)}.com.br"))

    general_categories = [c for c in categories if c[0] not in (FOOD_CATEGORY[0], EMPTY_CATEGORY[0])]
    general_entities = [e for e in entities if e[0] != THREE_OFFER_ENTITY[0]]

    # (category, entity, active) plan: fixed counts for the named sets, the rest random.
    plan: list[tuple[str, str, bool]] = []
    for _ in range(58):
        plan.append((FOOD_CATEGORY[0], rng.choice(general_entities)[0], True))
    for _ in range(6):
        plan.append((FOOD_CATEGORY[0], rng.choice(general_entities)[0], False))
    for _ in range(5):
        plan.append((EMPTY_CATEGORY[0], rng.choice(general_entities)[0], False))
    for i in range(3):
        cat = FOOD_CATEGORY[0] if i == 0 else rng.choice(general_categories)[0]
        plan.append((cat, THREE_OFFER_ENTITY[0], True))
    for _ in range(2):
        plan.append((rng.choice(general_categories)[0], THREE_OFFER_ENTITY[0], False))
    for _ in range(1968):
        plan.append((rng.choice(general_categories)[0], rng.choice(general_entities)[0], True))
    for _ in range(170):
        plan.append((rng.choice(general_categories)[0], rng.choice(general_entities)[0], False))
    rng.shuffle(plan)

    cat_names = dict(categories)
    offers = []
    three_seen = 0
    for index, (cat, ent, active) in enumerate(plan):
        oid = 10001 + index
        title = f"{rng.choice(OFFER_NOUNS)} {rng.choice(OFFER_ADJ)} {cat_names[cat].split()[0]} {oid}"
        incomplete = rng.random() < 0.165
        if ent == THREE_OFFER_ENTITY[0] and active:
            three_seen += 1
            incomplete = three_seen == 3  # exactly one of its three active offers is incomplete
        description = None if incomplete else f"{title}: oferta de {cat_names[cat].lower()} com entrega combinada."
        image = f"/img/offers/{oid}.jpg"
        stock = 0 if rng.random() < 0.03 else rng.randint(1, 40)
        offers.append((
            oid, title, description, image, cat, ent, _ts(rng), SEED_TIME, _price(rng), stock, active,
            rng.random() < 0.10, rng.random() < 0.15,
        ))

    with conn.cursor() as cur:
        cur.executemany("INSERT INTO offer_category (id, name) VALUES (%s, %s)", categories)
        cur.executemany(
            "INSERT INTO entity (id, name, phone, email, status, updated_at) VALUES (%s, %s, %s, %s, 'active', %s)",
            [(e[0], e[1], e[2], e[3], SEED_TIME - dt.timedelta(days=i % 90)) for i, e in enumerate(entities)],
        )
        with cur.copy(
            "COPY offer (id, title, description, image_url, category_id, entity_id, created_at, updated_at,"
            " price, stock, active, domestic, under_budget) FROM STDIN"
        ) as copy:
            for row in offers:
                copy.write_row(row)
        # One seller account per entity (credited when a cross-WL sale settles).
        accounts = []
        for i, e in enumerate(entities):
            aid = 500001 + i
            accounts.append((aid, e[0], e[1], e[3], e[2], f"seller-token-{aid}", aid, aid))
        cur.executemany(
            "INSERT INTO account (id, entity_id, name, email, phone, token, status, xbalance_id, rbalance_id)"
            " VALUES (%s, %s, %s, %s, %s, %s, 'ACTIVE', %s, %s)", accounts)
        cur.executemany("INSERT INTO xbalance (id, account_id, value) VALUES (%s, %s, 0)",
                        [(a[0], a[0]) for a in accounts])
        cur.executemany("INSERT INTO rbalance (id, account_id, value) VALUES (%s, %s, 0)",
                        [(a[0], a[0]) for a in accounts])
        cur.execute(
            "INSERT INTO trader_accounts (id, white_label_id, name, status, contact_email, contact_phone,"
            " correlation_id) VALUES (%s, %s, %s, 'active', %s, %s, %s)",
            (_uuid("trader:exporter"), wl_id, "Conta Trader Exporter", "exporter@example.com",
             "+55 11 90000-0001", _uuid("trader:exporter:cid")),
        )


# ------------------------------------------------------------------------------------------ importer
def _seed_importer(conn, settings) -> None:
    rng = random.Random(SEED + 3)
    wl_id = getattr(settings, "importer_wl_id", None) or "2a6f8e2c-874c-4476-aac3-0d535fb52ac7"
    entities = [
        ("8778", "Codex Comércio e Serviços Ltda", "+55 11 98780-0003", "compras@codex-comercio.com.br"),
        ("90803", "QA Preflight Comércio Ltda", "+55 11 99080-0005", "qa.preflight@xpory.local"),
        ("90900", "Loja Importadora Centro", "+55 11 99090-0001", "centro@importadora.com.br"),
    ]
    categories = [("15", "Alimentação"), ("220", "Serviços Gráficos"), ("310", "Hotelaria")]
    with conn.cursor() as cur:
        cur.executemany("INSERT INTO entity (id, name, phone, email, status, updated_at)"
                        " VALUES (%s, %s, %s, %s, 'active', %s)", [e + (SEED_TIME,) for e in entities])
        cur.executemany("INSERT INTO offer_category (id, name) VALUES (%s, %s)", categories)
        local = []
        for i in range(12):
            cat = categories[i % 3]
            local.append((i + 1, f"Oferta local {cat[1]} {i + 1}", "Oferta do catálogo local.",
                          f"/img/local/{i + 1}.jpg", cat[0], "90900", _ts(rng), SEED_TIME, _price(rng),
                          rng.randint(1, 20), i != 11, False, False))
        cur.executemany(
            "INSERT INTO offer (id, title, description, image_url, category_id, entity_id, created_at,"
            " updated_at, price, stock, active, domestic, under_budget)"
            " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)", local)

        accounts = [
            # id, entity, name, email, phone, token, xbalance, rbalance, X$, R$
            (8780, "8778", "Codex Compras", "codex.compras@xpory.local", "+55 11 98780-0003", "codex-token-3",
             8772, 8773, Decimal("50000.00"), Decimal("10000.00")),
            (90805, "90803", "QA Preflight", "qa.preflight@xpory.local", "+55 11 99080-0005", "qa-preflight-token",
             90806, 90807, Decimal("5000.00"), Decimal("5000.00")),
        ]
        cur.executemany(
            "INSERT INTO account (id, entity_id, name, email, phone, token, status, xbalance_id, rbalance_id)"
            " VALUES (%s, %s, %s, %s, %s, %s, 'ACTIVE', %s, %s)", [a[:8] for a in accounts])
        cur.executemany("INSERT INTO xbalance (id, account_id, value) VALUES (%s, %s, %s)",
                        [(a[6], a[0], a[8]) for a in accounts])
        cur.executemany("INSERT INTO rbalance (id, account_id, value) VALUES (%s, %s, %s)",
                        [(a[7], a[0], a[9]) for a in accounts])
        cur.executemany(
            "INSERT INTO account_privileges (id, version, profile_balance, approve_transfer_reversal,"
            " register_new_account, approve_purchase_reversal, list_loan_request, view_current_balance,"
            " edit_entity, list_transfers, loan_request, my_sales, purchased_offers, request_advance_reais,"
            " account_id, create_offer, transfer, buy_offer, list_advance_reais) VALUES"
            " (%s, 0, true, true, false, true, true, true, true, true, true, true, true, true, %s,"
            " true, true, true, true)", [(1, 8780), (2, 90805)])
        maturity = []
        for a in accounts:
            for months in (1, 3, 6):
                maturity.append((a[0], a[6], a[8] / 3, (SEED_TIME + dt.timedelta(days=30 * months)).date()))
        cur.executemany("INSERT INTO xtransaction_maturity (account_id, xbalance_id, value, maturity_date)"
                        " VALUES (%s, %s, %s, %s)", maturity)
        cur.execute(
            "INSERT INTO trader_accounts (id, white_label_id, name, status, contact_email, contact_phone,"
            " correlation_id) VALUES (%s, %s, %s, 'active', %s, %s, %s)",
            (_uuid("trader:importer"), wl_id, "Conta Trader Importer", "importer@example.com",
             "+55 11 90000-0002", _uuid("trader:importer:cid")),
        )
