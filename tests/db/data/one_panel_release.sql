-- A shop's database as the release before several panels wrote it (schema 11): services
-- with an owner's markup override, a disabled one and one gone from the panel; a customer
-- with a balance; orders completed with a refill running, in progress with a cancel asked,
-- and held for the admins. Made with that release's repositories and sqlite3's iterdump.
BEGIN TRANSACTION;
CREATE TABLE cancel_requests (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    order_id INTEGER NOT NULL REFERENCES orders (id),
    user_id INTEGER NOT NULL REFERENCES users (id),
    outcome TEXT NOT NULL
        CHECK (outcome IN ('requesting', 'accepted', 'refused', 'unknown')),
    error TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
INSERT INTO "cancel_requests" VALUES(1,2,7,'requesting',NULL,'2026-12-02T08:48:52.249135+00:00','2026-12-02T08:48:52.249135+00:00');
CREATE TABLE crypto_invoices (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    key         TEXT NOT NULL UNIQUE,
    invoice_id  INTEGER UNIQUE,
    user_id     INTEGER NOT NULL REFERENCES users (id),
    amount      INTEGER NOT NULL CHECK (amount > 0),
    currency    TEXT NOT NULL,
    status      TEXT NOT NULL
        CHECK (status IN ('creating', 'active', 'paid', 'expired', 'failed')),
    pay_url     TEXT,
    paid_asset  TEXT,
    paid_amount TEXT,
    created_at  TEXT NOT NULL,
    expires_at  TEXT NOT NULL,
    paid_at     TEXT,
    credited_at TEXT
);
CREATE TABLE fsm (
    key   TEXT PRIMARY KEY,
    state TEXT,
    data  TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(data))
);
CREATE TABLE "ledger" (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id    INTEGER NOT NULL REFERENCES users (id),
    amount     INTEGER NOT NULL CHECK (amount <> 0),
    reason     TEXT NOT NULL REFERENCES ledger_reasons (name),
    key        TEXT NOT NULL UNIQUE,
    order_id   INTEGER REFERENCES orders (id),
    note       TEXT,
    created_at TEXT NOT NULL
);
INSERT INTO "ledger" VALUES(1,7,50000000,'topup','topup:release:1',NULL,NULL,'2026-12-02T08:48:52.243428+00:00');
INSERT INTO "ledger" VALUES(2,7,-1170000,'order_charge','order:1:charge',1,NULL,'2026-12-02T08:48:52.244487+00:00');
INSERT INTO "ledger" VALUES(3,7,-1170000,'order_charge','order:2:charge',2,NULL,'2026-12-02T08:48:52.245263+00:00');
INSERT INTO "ledger" VALUES(4,7,-1170000,'order_charge','order:3:charge',3,NULL,'2026-12-02T08:48:52.246032+00:00');
CREATE TABLE ledger_reasons (
    name TEXT PRIMARY KEY
) WITHOUT ROWID;
INSERT INTO "ledger_reasons" VALUES('admin_adjustment');
INSERT INTO "ledger_reasons" VALUES('crypto_topup');
INSERT INTO "ledger_reasons" VALUES('manual_topup');
INSERT INTO "ledger_reasons" VALUES('order_charge');
INSERT INTO "ledger_reasons" VALUES('promo_bonus');
INSERT INTO "ledger_reasons" VALUES('promo_voucher');
INSERT INTO "ledger_reasons" VALUES('referral_bonus');
INSERT INTO "ledger_reasons" VALUES('referral_reversal');
INSERT INTO "ledger_reasons" VALUES('refund');
INSERT INTO "ledger_reasons" VALUES('stars_refund');
INSERT INTO "ledger_reasons" VALUES('topup');
CREATE TABLE manual_payments (
    id                 INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id            INTEGER NOT NULL REFERENCES users (id),
    amount             INTEGER NOT NULL CHECK (amount > 0),
    currency           TEXT NOT NULL,
    status             TEXT NOT NULL DEFAULT 'pending'
                       CHECK (status IN ('pending', 'approved', 'rejected')),
    receipt_chat_id    INTEGER NOT NULL,
    receipt_message_id INTEGER NOT NULL,
    receipt_kind       TEXT NOT NULL CHECK (receipt_kind IN ('photo', 'document')),
    comment            TEXT,
    created_at         TEXT NOT NULL,
    decided_at         TEXT,
    decided_by         INTEGER,
    approved_amount    INTEGER CHECK (approved_amount IS NULL OR approved_amount > 0),
    reject_reason      TEXT,
    post_message_id    INTEGER,
    UNIQUE (receipt_chat_id, receipt_message_id),
    CHECK ((status = 'pending') = (decided_at IS NULL)),
    CHECK (status <> 'approved' OR approved_amount IS NOT NULL)
);
CREATE TABLE meta (
    name  TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE order_transitions (
    id        INTEGER PRIMARY KEY,
    order_id  INTEGER NOT NULL REFERENCES orders (id),
    old_state TEXT NOT NULL,
    new_state TEXT NOT NULL,
    remains   INTEGER,
    charge    TEXT,
    at        TEXT NOT NULL,
    UNIQUE (order_id, old_state, new_state)
);
INSERT INTO "order_transitions" VALUES(1,1,'submitting','pending',NULL,NULL,'2026-12-02T08:48:52.246188+00:00');
INSERT INTO "order_transitions" VALUES(2,1,'pending','completed',NULL,NULL,'2026-12-02T08:48:52.246843+00:00');
INSERT INTO "order_transitions" VALUES(3,2,'submitting','pending',NULL,NULL,'2026-12-02T08:48:52.247912+00:00');
INSERT INTO "order_transitions" VALUES(4,2,'pending','in_progress',NULL,NULL,'2026-12-02T08:48:52.248554+00:00');
INSERT INTO "order_transitions" VALUES(5,3,'submitting','unknown',NULL,NULL,'2026-12-02T08:48:52.249318+00:00');
CREATE TABLE orders (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id        INTEGER NOT NULL REFERENCES users (id),
    quote_id       TEXT NOT NULL UNIQUE REFERENCES quotes (id),
    service_id     INTEGER NOT NULL REFERENCES services (id),
    order_type     TEXT NOT NULL,
    link           TEXT,
    quantity       INTEGER NOT NULL CHECK (quantity >= 0),
    fields         TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(fields)),
    price          INTEGER NOT NULL CHECK (price >= 0),
    cost           INTEGER NOT NULL CHECK (cost >= 0),
    state          TEXT NOT NULL CHECK (state IN (
                       'submitting', 'unknown', 'pending', 'in_progress', 'processing',
                       'completed', 'partial', 'canceled', 'refunded', 'failed')),
    panel_order_id INTEGER UNIQUE,
    panel_status   TEXT,
    start_count    INTEGER,
    remains        INTEGER,
    panel_charge   TEXT,
    error          TEXT,
    item_errors    INTEGER NOT NULL DEFAULT 0,
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL,
    last_polled_at TEXT
, refund_held_at TEXT);
INSERT INTO "orders" VALUES(1,7,'e5kJXZ1YjUziHp_g',101,'Default','https://instagram.com/alice',1000,'{"link":"https://instagram.com/shop","quantity":1000}',1170000,900000,'completed',5001,NULL,NULL,NULL,NULL,NULL,0,'2026-12-02T08:48:52.244197+00:00','2026-12-02T08:48:52.246843+00:00',NULL,NULL);
INSERT INTO "orders" VALUES(2,7,'1WaNO9G18jEc63ml',101,'Default','https://instagram.com/alice',1000,'{"link":"https://instagram.com/shop","quantity":1000}',1170000,900000,'in_progress',5002,NULL,NULL,NULL,NULL,NULL,0,'2026-12-02T08:48:52.245076+00:00','2026-12-02T08:48:52.248554+00:00',NULL,NULL);
INSERT INTO "orders" VALUES(3,7,'GqzAQ4GO_vZ8WsSq',103,'Default','https://instagram.com/alice',1000,'{"link":"https://instagram.com/shop","quantity":1000}',1170000,900000,'unknown',NULL,NULL,NULL,NULL,NULL,NULL,0,'2026-12-02T08:48:52.245853+00:00','2026-12-02T08:48:52.249318+00:00',NULL,NULL);
CREATE TABLE outbox (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    chat_id      INTEGER NOT NULL,
    user_id      INTEGER,
    text         TEXT NOT NULL,
    reply_markup TEXT CHECK (reply_markup IS NULL OR json_valid(reply_markup)),
    kind         TEXT NOT NULL,
    dedupe_key   TEXT UNIQUE,
    state        TEXT NOT NULL DEFAULT 'pending'
                     CHECK (state IN ('pending', 'sent', 'failed', 'dropped')),
    attempts     INTEGER NOT NULL DEFAULT 0,
    not_before   TEXT NOT NULL,
    last_error   TEXT,
    created_at   TEXT NOT NULL,
    sent_at      TEXT
);
CREATE TABLE promo_codes (
    id          INTEGER PRIMARY KEY,
    code        TEXT NOT NULL UNIQUE CHECK (code = upper(code)),
    kind        TEXT NOT NULL CHECK (kind IN ('amount', 'percent')),
    value       INTEGER NOT NULL CHECK (value > 0),
    max_uses    INTEGER CHECK (max_uses IS NULL OR max_uses > 0),
    uses        INTEGER NOT NULL DEFAULT 0
                CHECK (uses >= 0 AND (max_uses IS NULL OR uses <= max_uses)),
    expires_at  TEXT,
    disabled_at TEXT,
    created_by  INTEGER NOT NULL,
    created_at  TEXT NOT NULL
);
CREATE TABLE promo_redemptions (
    id            INTEGER PRIMARY KEY,
    code          TEXT NOT NULL REFERENCES promo_codes (code),
    user_id       INTEGER NOT NULL REFERENCES users (id),
    redeemed_at   TEXT NOT NULL,
    bonus_percent INTEGER CHECK (bonus_percent IS NULL OR bonus_percent > 0),
    applied_key   TEXT,
    applied_at    TEXT,
    UNIQUE (code, user_id)
);
CREATE TABLE promo_wrong_attempts (
    id           INTEGER PRIMARY KEY,
    user_id      INTEGER NOT NULL,
    attempted_at TEXT NOT NULL
);
CREATE TABLE quotes (
    id          TEXT PRIMARY KEY,
    user_id     INTEGER NOT NULL REFERENCES users (id),
    service_id  INTEGER NOT NULL REFERENCES services (id),
    order_type  TEXT NOT NULL,
    fields      TEXT NOT NULL CHECK (json_valid(fields)),
    units       INTEGER NOT NULL CHECK (units >= 0),
    price       INTEGER NOT NULL CHECK (price >= 0),
    cost        INTEGER NOT NULL CHECK (cost >= 0),
    created_at  TEXT NOT NULL,
    expires_at  TEXT NOT NULL,
    consumed_at TEXT
);
INSERT INTO "quotes" VALUES('e5kJXZ1YjUziHp_g',7,101,'Default','{"link":"https://instagram.com/shop","quantity":1000}',1000,1170000,900000,'2026-12-02T08:48:52.243696+00:00','2026-12-02T08:58:52.243633+00:00','2026-12-02T08:48:52.241466+00:00');
INSERT INTO "quotes" VALUES('1WaNO9G18jEc63ml',7,101,'Default','{"link":"https://instagram.com/shop","quantity":1000}',1000,1170000,900000,'2026-12-02T08:48:52.244673+00:00','2026-12-02T08:58:52.244650+00:00','2026-12-02T08:48:52.241466+00:00');
INSERT INTO "quotes" VALUES('GqzAQ4GO_vZ8WsSq',7,103,'Default','{"link":"https://instagram.com/shop","quantity":1000}',1000,1170000,900000,'2026-12-02T08:48:52.245461+00:00','2026-12-02T08:58:52.245408+00:00','2026-12-02T08:48:52.241466+00:00');
CREATE TABLE refills (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    order_id        INTEGER NOT NULL REFERENCES orders (id),
    user_id         INTEGER NOT NULL REFERENCES users (id),
    state           TEXT NOT NULL CHECK (state IN (
                        'requesting', 'pending', 'in_progress', 'processing', 'completed',
                        'rejected', 'canceled', 'error', 'refused')),
    panel_refill_id INTEGER UNIQUE,
    panel_status    TEXT,
    error           TEXT,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL
);
INSERT INTO "refills" VALUES(1,1,7,'pending',77,NULL,NULL,'2026-12-02T08:48:52.247448+00:00','2026-12-02T08:48:52.247645+00:00');
CREATE TABLE schema_migrations ( version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL);
INSERT INTO "schema_migrations" VALUES(1,'2026-12-02T08:48:52.224866+00:00');
INSERT INTO "schema_migrations" VALUES(2,'2026-12-02T08:48:52.226072+00:00');
INSERT INTO "schema_migrations" VALUES(3,'2026-12-02T08:48:52.226806+00:00');
INSERT INTO "schema_migrations" VALUES(4,'2026-12-02T08:48:52.227566+00:00');
INSERT INTO "schema_migrations" VALUES(5,'2026-12-02T08:48:52.228145+00:00');
INSERT INTO "schema_migrations" VALUES(6,'2026-12-02T08:48:52.228997+00:00');
INSERT INTO "schema_migrations" VALUES(7,'2026-12-02T08:48:52.233212+00:00');
INSERT INTO "schema_migrations" VALUES(8,'2026-12-02T08:48:52.236261+00:00');
INSERT INTO "schema_migrations" VALUES(9,'2026-12-02T08:48:52.237201+00:00');
INSERT INTO "schema_migrations" VALUES(10,'2026-12-02T08:48:52.238079+00:00');
INSERT INTO "schema_migrations" VALUES(11,'2026-12-02T08:48:52.239265+00:00');
CREATE TABLE services (
    id              INTEGER PRIMARY KEY,
    name            TEXT NOT NULL,
    type            TEXT NOT NULL,
    category        TEXT NOT NULL,
    rate            TEXT NOT NULL,
    min             INTEGER NOT NULL,
    max             INTEGER NOT NULL,
    refill          INTEGER NOT NULL DEFAULT 0 CHECK (refill IN (0, 1)),
    cancel          INTEGER NOT NULL DEFAULT 0 CHECK (cancel IN (0, 1)),
    dripfeed        INTEGER NOT NULL DEFAULT 0 CHECK (dripfeed IN (0, 1)),
    on_panel        INTEGER NOT NULL DEFAULT 1 CHECK (on_panel IN (0, 1)),
    enabled         INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),
    markup_override TEXT,
    synced_at       TEXT NOT NULL
);
INSERT INTO "services" VALUES(101,'Instagram Followers [Real]','Default','Instagram Followers','0.90',10,10000,1,0,0,1,1,'12.5','2026-12-02T08:48:52.241466+00:00');
INSERT INTO "services" VALUES(102,'Instagram Likes','Default','Instagram Likes','0.0850',10,10000,0,0,0,1,0,NULL,'2026-12-02T08:48:52.241466+00:00');
INSERT INTO "services" VALUES(103,'TikTok Views','Default','TikTok Views','0.0125',10,10000,0,0,0,1,1,NULL,'2026-12-02T08:48:52.241466+00:00');
INSERT INTO "services" VALUES(104,'Gone from the panel','Default','TikTok Views','1.5',10,10000,0,0,0,0,1,NULL,'2026-12-02T08:48:52.241466+00:00');
ANALYZE "sqlite_master";
INSERT INTO "sqlite_stat1" VALUES('ledger','ledger_by_reason_time','4 2 1');
INSERT INTO "sqlite_stat1" VALUES('ledger','ledger_by_order','4 1');
INSERT INTO "sqlite_stat1" VALUES('ledger','ledger_by_user','4 4 1');
INSERT INTO "sqlite_stat1" VALUES('ledger','sqlite_autoindex_ledger_1','4 1');
INSERT INTO "sqlite_stat1" VALUES('orders','orders_by_user_newest','3 3 1');
INSERT INTO "sqlite_stat1" VALUES('orders','orders_by_state','3 1');
INSERT INTO "sqlite_stat1" VALUES('orders','sqlite_autoindex_orders_2','3 1');
INSERT INTO "sqlite_stat1" VALUES('orders','sqlite_autoindex_orders_1','3 1');
INSERT INTO "sqlite_stat1" VALUES('users','users_by_username','1 1');
INSERT INTO "sqlite_stat1" VALUES('users','users_by_referrer','1 1');
INSERT INTO "sqlite_stat1" VALUES('order_transitions','sqlite_autoindex_order_transitions_1','5 2 1 1');
INSERT INTO "sqlite_stat1" VALUES('cancel_requests','cancel_requests_by_order','1 1 1');
INSERT INTO "sqlite_stat1" VALUES('refills','refills_one_active_per_order','1 1');
INSERT INTO "sqlite_stat1" VALUES('refills','refills_by_order','1 1');
INSERT INTO "sqlite_stat1" VALUES('refills','sqlite_autoindex_refills_1','1 1');
CREATE TABLE star_invoices (
    id TEXT PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users (id),
    stars INTEGER NOT NULL CHECK (stars > 0),
    amount INTEGER NOT NULL CHECK (amount > 0),
    created_at TEXT NOT NULL,
    paid_at TEXT,
    charge_id TEXT UNIQUE,
    refunded_at TEXT
, expires_at TEXT, refund_attempt TEXT, refund_outcome TEXT);
CREATE TABLE users (
    id          INTEGER PRIMARY KEY,
    username    TEXT,
    first_name  TEXT,
    language    TEXT NOT NULL,
    referrer_id INTEGER REFERENCES users (id),
    blocked     INTEGER NOT NULL DEFAULT 0 CHECK (blocked IN (0, 1)),
    created_at  TEXT NOT NULL,
    CHECK (referrer_id IS NULL OR referrer_id <> id)
);
INSERT INTO "users" VALUES(7,'alice','User 7','en',NULL,0,'2026-12-02T08:48:52.243193+00:00');
CREATE INDEX users_by_referrer ON users (referrer_id);
CREATE INDEX users_by_username ON users (username COLLATE NOCASE);
CREATE INDEX services_by_category ON services (category, id);
CREATE INDEX quotes_by_expiry ON quotes (expires_at);
CREATE INDEX orders_by_state ON orders (state);
CREATE INDEX refills_by_order ON refills (order_id);
CREATE UNIQUE INDEX refills_one_active_per_order ON refills (order_id)
    WHERE state IN ('requesting', 'pending', 'in_progress', 'processing');
CREATE INDEX outbox_by_chat ON outbox (chat_id, state);
CREATE INDEX orders_by_user_newest ON orders (user_id, id DESC);
CREATE INDEX outbox_due ON outbox (state, not_before);
CREATE INDEX cancel_requests_by_order ON cancel_requests (order_id, id DESC);
CREATE INDEX star_invoices_by_user ON star_invoices (user_id, created_at);
CREATE INDEX ledger_by_user ON ledger (user_id, id);
CREATE INDEX ledger_by_order ON ledger (order_id);
CREATE INDEX ledger_by_reason_time ON ledger (reason, created_at);
CREATE TRIGGER ledger_rows_are_not_updated BEFORE UPDATE ON ledger
BEGIN
    SELECT RAISE(ABORT, 'ledger rows are append-only');
END;
CREATE TRIGGER ledger_rows_are_not_deleted BEFORE DELETE ON ledger
BEGIN
    SELECT RAISE(ABORT, 'ledger rows are append-only');
END;
CREATE INDEX manual_payments_by_status ON manual_payments (status, id);
CREATE INDEX manual_payments_by_user ON manual_payments (user_id, status);
CREATE INDEX crypto_invoices_open ON crypto_invoices (status, created_at)
    WHERE status IN ('creating', 'active');
CREATE INDEX crypto_invoices_by_user ON crypto_invoices (user_id, id);
CREATE UNIQUE INDEX promo_one_pending_bonus ON promo_redemptions (user_id)
    WHERE bonus_percent IS NOT NULL AND applied_at IS NULL;
CREATE INDEX promo_wrong_attempts_by_user ON promo_wrong_attempts (user_id, attempted_at);
DELETE FROM "sqlite_sequence";
INSERT INTO "sqlite_sequence" VALUES('ledger',4);
INSERT INTO "sqlite_sequence" VALUES('orders',3);
INSERT INTO "sqlite_sequence" VALUES('refills',1);
INSERT INTO "sqlite_sequence" VALUES('cancel_requests',1);
COMMIT;
