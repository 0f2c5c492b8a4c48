-- WL node schema, shared by the exporter (wl-01) and the importer (wl-03).
-- Table and column names follow the runbook (reset-environment.md) so its SQL runs verbatim:
--   TRUNCATE cp_policy_cache, cp_relationship_cache, offer_export_index, [imported_offer,] cross_wl_trade
--   INSERT INTO account_privileges (...) VALUES ((SELECT COALESCE(MAX(id),0)+1 ...), ...) ON CONFLICT DO NOTHING
--   UPDATE xbalance SET value=100000 WHERE id=8772
--   UPDATE cp_relationship_cache SET export_policy='...' WHERE source_white_label_id=... AND target_white_label_id=...
--   SELECT offer_id FROM imported_offer WHERE eligible=true AND lifecycle_status='ENABLED' AND COALESCE(offers_available,0) > 0

-- ---------------------------------------------------------------- local catalogue
CREATE TABLE entity (
    id          text PRIMARY KEY,
    name        text NOT NULL,
    phone       text,
    email       text,
    status      text NOT NULL DEFAULT 'active',
    updated_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE offer_category (
    id    text PRIMARY KEY,
    name  text NOT NULL
);

CREATE TABLE offer (
    id            bigint PRIMARY KEY,
    title         text NOT NULL,
    description   text,
    image_url     text,
    category_id   text NOT NULL REFERENCES offer_category (id),
    entity_id     text NOT NULL REFERENCES entity (id),
    created_at    timestamptz NOT NULL,
    updated_at    timestamptz NOT NULL DEFAULT now(),
    price         numeric(18, 2) NOT NULL,
    stock         integer NOT NULL DEFAULT 0,
    active        boolean NOT NULL DEFAULT true,
    domestic      boolean NOT NULL DEFAULT false,
    under_budget  boolean NOT NULL DEFAULT false
);
CREATE INDEX offer_active_idx ON offer (active, id);
CREATE INDEX offer_category_idx ON offer (category_id);
CREATE INDEX offer_entity_idx ON offer (entity_id);

-- ---------------------------------------------------------------- accounts and money
CREATE TABLE account (
    id           bigint PRIMARY KEY,
    entity_id    text REFERENCES entity (id),
    name         text NOT NULL,
    email        text,
    phone        text,
    token        text,
    status       text NOT NULL DEFAULT 'ACTIVE',
    xbalance_id  bigint,
    rbalance_id  bigint
);
CREATE INDEX account_email_idx ON account (lower(email));
CREATE INDEX account_entity_idx ON account (entity_id);

-- No unique constraint on account_id on purpose: the runbook INSERT (MAX(id)+1, ON CONFLICT DO NOTHING)
-- can create duplicates, and buy-offer must then fail with "More than one row with the given identifier".
CREATE TABLE account_privileges (
    id                         bigint PRIMARY KEY,
    version                    bigint NOT NULL DEFAULT 0,
    profile_balance            boolean NOT NULL DEFAULT false,
    approve_transfer_reversal  boolean NOT NULL DEFAULT false,
    register_new_account       boolean NOT NULL DEFAULT false,
    approve_purchase_reversal  boolean NOT NULL DEFAULT false,
    list_loan_request          boolean NOT NULL DEFAULT false,
    view_current_balance       boolean NOT NULL DEFAULT false,
    edit_entity                boolean NOT NULL DEFAULT false,
    list_transfers             boolean NOT NULL DEFAULT false,
    loan_request               boolean NOT NULL DEFAULT false,
    my_sales                   boolean NOT NULL DEFAULT false,
    purchased_offers           boolean NOT NULL DEFAULT false,
    request_advance_reais      boolean NOT NULL DEFAULT false,
    account_id                 bigint NOT NULL,
    create_offer               boolean NOT NULL DEFAULT false,
    transfer                   boolean NOT NULL DEFAULT false,
    buy_offer                  boolean NOT NULL DEFAULT false,
    list_advance_reais         boolean NOT NULL DEFAULT false
);
CREATE INDEX account_privileges_account_idx ON account_privileges (account_id);

-- X$ balance (id 8772 belongs to account 8780 on wl-03).
CREATE TABLE xbalance (
    id          bigint PRIMARY KEY,
    account_id  bigint NOT NULL,
    value       numeric(18, 2) NOT NULL DEFAULT 0,
    version     bigint NOT NULL DEFAULT 0,
    updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX xbalance_account_idx ON xbalance (account_id);

-- R$ balance.
CREATE TABLE rbalance (
    id          bigint PRIMARY KEY,
    account_id  bigint NOT NULL,
    value       numeric(18, 2) NOT NULL DEFAULT 0,
    version     bigint NOT NULL DEFAULT 0,
    updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX rbalance_account_idx ON rbalance (account_id);

-- X$ ledger. The sum of `amount` per xbalance equals the balance's movement.
CREATE TABLE xtransaction (
    id             bigserial PRIMARY KEY,
    account_id     bigint NOT NULL,
    xbalance_id    bigint,
    kind           text NOT NULL,          -- ESCROW_HOLD, ESCROW_RELEASE, ESCROW_REFUND, SETTLEMENT_DEBIT, SETTLEMENT_CREDIT
    amount         numeric(18, 2) NOT NULL,
    balance_after  numeric(18, 2),
    status         text NOT NULL DEFAULT 'POSTED',
    trade_id       text,
    description    text,
    created_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX xtransaction_trade_idx ON xtransaction (trade_id);
CREATE INDEX xtransaction_account_idx ON xtransaction (account_id);

-- Maturity buckets of X$ credits; debiting X$ needs at least one bucket for the account
-- (emptied by mistake => "Erro ao debitar em X$").
CREATE TABLE xtransaction_maturity (
    id             bigserial PRIMARY KEY,
    account_id     bigint NOT NULL,
    xbalance_id    bigint,
    value          numeric(18, 2) NOT NULL,
    maturity_date  date NOT NULL,
    created_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX xtransaction_maturity_account_idx ON xtransaction_maturity (account_id);

CREATE TABLE trader_accounts (
    id              text PRIMARY KEY,
    white_label_id  text NOT NULL,
    name            text NOT NULL,
    status          text NOT NULL DEFAULT 'active',
    contact_email   text,
    contact_phone   text,
    contact_email_hash text,
    correlation_id  text,
    cp_trader_id    text,
    confirmed_at    timestamptz,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now()
);

-- ---------------------------------------------------------------- CP governance caches
CREATE TABLE cp_policy_cache (
    id                  bigserial PRIMARY KEY,
    white_label_id      text NOT NULL UNIQUE,
    import_enabled      boolean,
    export_enabled      boolean,
    export_delay_days   integer,
    visibility_enabled  boolean,
    visibility_wls      text,          -- JSON array
    policy_revision     text,
    trader_account      text,          -- JSON object
    signature           text,
    signature_verified  boolean NOT NULL DEFAULT false,
    cp_fingerprint      text,
    payload             text,
    fetched_at          timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE cp_relationship_cache (
    id                              bigserial PRIMARY KEY,
    source_white_label_id           text NOT NULL,
    target_white_label_id           text NOT NULL,
    status                          text,
    fx_rate                         numeric(18, 6),
    limit_amount                    numeric(18, 2),
    approval_mode                   text,
    manual_approval_above_amount    numeric(18, 2),
    manual_approval_above_qty       integer,
    manual_approval_on_first_trade  boolean,
    manual_approval_on_imbalance    boolean,
    export_policy                   text,          -- JSON text, as stored by the CP
    cp_updated_at                   text,          -- the CP relationship's updatedAt at the last pull
    cp_fingerprint                  text,          -- sha256 of the CP relationship (without signature) at the last pull
    signature                       text,
    signature_verified              boolean NOT NULL DEFAULT false,
    payload                         text,
    fetched_at                      timestamptz NOT NULL DEFAULT now(),
    UNIQUE (source_white_label_id, target_white_label_id)
);

-- Exporter: which offers were exported to which importer (refreshed on every export page).
-- Importer: unused (truncated by the runbook like on the exporter).
CREATE TABLE offer_export_index (
    id                bigserial PRIMARY KEY,
    importer_wl_id    text NOT NULL,
    offer_id          bigint NOT NULL,
    policy_applied    boolean NOT NULL DEFAULT false,
    last_exported_at  timestamptz NOT NULL DEFAULT now(),
    UNIQUE (importer_wl_id, offer_id)
);

-- ---------------------------------------------------------------- importer: imported offers
CREATE TABLE imported_offer (
    id                 serial PRIMARY KEY,               -- importedOfferId (checkout path)
    offer_id           bigint NOT NULL,                  -- storefront offer id (buy-offer offerId)
    origin_offer_id    bigint NOT NULL,                  -- exporter offer id
    exporter_wl_id     text NOT NULL,
    title              text NOT NULL,
    description        text,
    image_url          text,
    category_id        text,
    category_name      text,
    entity_id          text,
    entity_name        text,
    unit_price         numeric(18, 2) NOT NULL,          -- exporter price as imported
    fx_rate            numeric(18, 6) NOT NULL DEFAULT 1,
    display_price      numeric(18, 2) NOT NULL,          -- unit_price * fx_rate
    offers_available   integer,
    eligible           boolean NOT NULL DEFAULT false,
    ineligible_reason  text,
    lifecycle_status   text NOT NULL DEFAULT 'ENABLED',
    origin_created_at  timestamptz,
    imported_at        timestamptz NOT NULL DEFAULT now(),
    updated_at         timestamptz NOT NULL DEFAULT now(),
    UNIQUE (exporter_wl_id, origin_offer_id)
);
-- Storefront offer ids are allocated from 80001 on; owned by the column, so the runbook's
-- TRUNCATE ... RESTART IDENTITY restarts it too.
CREATE SEQUENCE imported_offer_offer_id_seq START 80001 OWNED BY imported_offer.offer_id;
ALTER TABLE imported_offer ALTER COLUMN offer_id SET DEFAULT nextval('imported_offer_offer_id_seq');
CREATE UNIQUE INDEX imported_offer_offer_id_idx ON imported_offer (offer_id);

-- ---------------------------------------------------------------- trades, holds, idempotency
CREATE TABLE cross_wl_trade (
    id                    bigserial PRIMARY KEY,
    trade_id              text NOT NULL UNIQUE,       -- this side's trade id
    external_trade_id     text,                       -- the counterpart's trade id
    role                  text NOT NULL,              -- EXPORTER | IMPORTER
    exporter_wl_id        text NOT NULL,
    importer_wl_id        text NOT NULL,
    origin_offer_id       bigint NOT NULL,
    imported_offer_id     integer,
    offer_id              bigint,                     -- importer: storefront offer id; exporter: origin offer id
    offer_title           text,
    status                text NOT NULL,              -- PENDING | CONFIRMED | REJECTED
    settlement_status     text NOT NULL,              -- ESCROWED | SETTLED | REFUNDED | UNSETTLED
    approval_mode         text,
    approval_path         text,
    pending_reason        text,
    requested_quantity    integer NOT NULL,
    confirmed_quantity    integer NOT NULL DEFAULT 0,
    unit_price            numeric(18, 2) NOT NULL,
    total_price           numeric(18, 2) NOT NULL,
    currency              text NOT NULL DEFAULT 'X',
    buyer_account_id      bigint,
    buyer_name            text,
    buyer_cell            text,
    buyer_masked          text,
    requester_trader_id   text,
    seller_entity_id      text,
    seller_name           text,
    seller_cell           text,
    hold_id               text,
    idempotency_key       text,
    callback_url          text,
    callback_status       text,
    decision_reason       text,
    failure_reason        text,
    escrow_xtransaction_id           bigint,
    escrow_reversal_xtransaction_id  bigint,
    settlement_debit_xtransaction_id bigint,
    settlement_credit_xtransaction_id bigint,
    decided_at            timestamptz,
    settled_at            timestamptz,
    created_at            timestamptz NOT NULL DEFAULT now(),
    updated_at            timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX cross_wl_trade_external_idx ON cross_wl_trade (external_trade_id);
CREATE INDEX cross_wl_trade_status_idx ON cross_wl_trade (status);

CREATE TABLE offer_hold (
    id                   text PRIMARY KEY,
    offer_id             bigint NOT NULL,
    requester_wl_id      text NOT NULL,
    requester_trader_id  text,
    client_buyer_masked  text,
    quantity             integer NOT NULL,
    unit_price           numeric(18, 2) NOT NULL,
    status               text NOT NULL DEFAULT 'HELD',   -- HELD | CONSUMED | RELEASED
    trade_id             text,
    created_at           timestamptz NOT NULL DEFAULT now(),
    expires_at           timestamptz NOT NULL
);
CREATE INDEX offer_hold_offer_idx ON offer_hold (offer_id, status);

CREATE TABLE idempotency_record (
    scope          text NOT NULL,
    key            text NOT NULL,
    request_hash   text,
    state          text NOT NULL DEFAULT 'IN_PROGRESS',  -- IN_PROGRESS | DONE
    status_code    integer,
    response       text,
    created_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (scope, key)
);

CREATE TABLE cp_imbalance_signal (
    id            bigserial PRIMARY KEY,
    source_id     text,
    target_id     text,
    action        text,
    reason        text,
    initiated_by  text,
    payload       text,
    received_at   timestamptz NOT NULL DEFAULT now()
);
