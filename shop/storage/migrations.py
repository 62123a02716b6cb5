"""The schema, as an ordered list of numbered migrations, and the code that applies them.

Each migration runs in its own ``BEGIN IMMEDIATE`` transaction together with the row that
records it in ``schema_migrations``, so a crash leaves the database at a whole version.
Migrations are only ever appended: a shipped migration never changes.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Final

from shop.storage.connection import Connection
from shop.storage.errors import SchemaTooNew
from shop.storage.times import to_db_time, utc_now


@dataclass(frozen=True, slots=True)
class Migration:
    """One step of the schema: its version number and the SQL script that performs it."""

    version: int
    script: str
    #: True for a migration that rebuilds a table others refer to: it runs with foreign keys
    #: off (SQLite cannot drop such a table otherwise) and is checked before it commits.
    rebuilds_referenced_tables: bool = False

    def statements(self) -> Iterator[str]:
        """The script split into complete statements (a trigger body stays in one piece)."""
        pending = ""
        for piece in self.script.split(";"):
            pending += piece + ";"
            if sqlite3.complete_statement(pending):
                if pending.strip(" \t\r\n;"):
                    yield pending.strip()
                pending = ""
        if pending.strip(" \t\r\n;"):
            raise ValueError(f"migration {self.version} ends with an incomplete statement")


_INITIAL_SCHEMA: Final = """
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
CREATE INDEX users_by_referrer ON users (referrer_id);
CREATE INDEX users_by_username ON users (username COLLATE NOCASE);

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
CREATE INDEX services_by_category ON services (category, id);

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
CREATE INDEX quotes_by_expiry ON quotes (expires_at);

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
);
CREATE INDEX orders_by_state ON orders (state);

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
CREATE INDEX refills_by_order ON refills (order_id);
-- Two taps on "Refill" must not become two refill requests at the panel.
CREATE UNIQUE INDEX refills_one_active_per_order ON refills (order_id)
    WHERE state IN ('requesting', 'pending', 'in_progress', 'processing');

CREATE TABLE ledger (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id    INTEGER NOT NULL REFERENCES users (id),
    amount     INTEGER NOT NULL CHECK (amount <> 0),
    reason     TEXT NOT NULL CHECK (reason IN (
                   'topup', 'order_charge', 'refund', 'admin_adjustment', 'referral_bonus',
                   'stars_refund')),
    key        TEXT NOT NULL UNIQUE,
    order_id   INTEGER REFERENCES orders (id),
    note       TEXT,
    created_at TEXT NOT NULL
);
CREATE INDEX ledger_by_user ON ledger (user_id, id);
CREATE INDEX ledger_by_order ON ledger (order_id);
-- A balance is the sum of the ledger at all times, so a row once written never changes.
CREATE TRIGGER ledger_rows_are_not_updated BEFORE UPDATE ON ledger
BEGIN
    SELECT RAISE(ABORT, 'ledger rows are append-only');
END;
CREATE TRIGGER ledger_rows_are_not_deleted BEFORE DELETE ON ledger
BEGIN
    SELECT RAISE(ABORT, 'ledger rows are append-only');
END;

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
CREATE INDEX outbox_by_chat ON outbox (chat_id, state);

CREATE TABLE fsm (
    key   TEXT PRIMARY KEY,
    state TEXT,
    data  TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(data))
);

CREATE TABLE meta (
    name  TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
"""

_LIST_AND_QUEUE_INDEXES: Final = """
-- A customer's order list, newest first.
CREATE INDEX orders_by_user_newest ON orders (user_id, id DESC);
-- The notifier's scan for pending messages that are due.
CREATE INDEX outbox_due ON outbox (state, not_before);
"""

_CANCEL_REQUESTS: Final = """
-- A customer's request to cancel an order, with what the panel answered.
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
CREATE INDEX cancel_requests_by_order ON cancel_requests (order_id, id DESC);
"""

_STAR_INVOICES: Final = """
-- A top-up invoice in Telegram Stars: what was asked, and the payment that settled it.
CREATE TABLE star_invoices (
    id TEXT PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users (id),
    stars INTEGER NOT NULL CHECK (stars > 0),
    amount INTEGER NOT NULL CHECK (amount > 0),
    created_at TEXT NOT NULL,
    paid_at TEXT,
    charge_id TEXT UNIQUE,
    refunded_at TEXT
);
CREATE INDEX star_invoices_by_user ON star_invoices (user_id, created_at);
"""

_LEDGER_BY_REASON: Final = """
-- The owner's figures (/stats) sum the ledger by reason since a moment.
CREATE INDEX ledger_by_reason_time ON ledger (reason, created_at);
"""

_REFUND_HOLD: Final = """
-- A final order whose refund the panel's answer does not settle (a Partial without remains
-- or charge) waits here, with no refund written, until an admin decides it with /refund.
ALTER TABLE orders ADD COLUMN refund_held_at TEXT;
"""

_INVOICE_EXPIRY_AND_REFERRAL_REVERSAL: Final = """
-- An invoice holds for STARS_INVOICE_MINUTES: a stale one must not be paid at an old rate.
-- Invoices from before get the default lifetime, an hour from their creation.
ALTER TABLE star_invoices ADD COLUMN expires_at TEXT;
-- A refund of the stars: the attempt whose ledger rows it wrote, and how Telegram answered
-- ('returned', 'returned_before', 'uncertain'; NULL while its answer is awaited).
ALTER TABLE star_invoices ADD COLUMN refund_attempt TEXT;
ALTER TABLE star_invoices ADD COLUMN refund_outcome TEXT;
UPDATE star_invoices
    SET expires_at = strftime('%Y-%m-%dT%H:%M:%S', created_at, '+60 minutes')
        || substr(created_at, 20);

-- A refunded top-up takes back the referral bonus it earned, under a reason of its own.
-- SQLite cannot change a CHECK: the ledger is rebuilt with the wider one, keeping its rows,
-- their ids, the AUTOINCREMENT counter, its indexes and its append-only triggers.
CREATE TABLE ledger_new (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id    INTEGER NOT NULL REFERENCES users (id),
    amount     INTEGER NOT NULL CHECK (amount <> 0),
    reason     TEXT NOT NULL CHECK (reason IN (
                   'topup', 'order_charge', 'refund', 'admin_adjustment', 'referral_bonus',
                   'stars_refund', 'referral_reversal')),
    key        TEXT NOT NULL UNIQUE,
    order_id   INTEGER REFERENCES orders (id),
    note       TEXT,
    created_at TEXT NOT NULL
);
INSERT INTO ledger_new (id, user_id, amount, reason, key, order_id, note, created_at)
    SELECT id, user_id, amount, reason, key, order_id, note, created_at FROM ledger ORDER BY id;
DELETE FROM sqlite_sequence WHERE name = 'ledger_new';
INSERT INTO sqlite_sequence (name, seq) SELECT 'ledger_new', seq FROM sqlite_sequence
    WHERE name = 'ledger';
DROP TABLE ledger;
ALTER TABLE ledger_new RENAME TO ledger;
CREATE INDEX ledger_by_user ON ledger (user_id, id);
CREATE INDEX ledger_by_order ON ledger (order_id);
CREATE INDEX ledger_by_reason_time ON ledger (reason, created_at);
-- A balance is the sum of the ledger at all times, so a row once written never changes.
CREATE TRIGGER ledger_rows_are_not_updated BEFORE UPDATE ON ledger
BEGIN
    SELECT RAISE(ABORT, 'ledger rows are append-only');
END;
CREATE TRIGGER ledger_rows_are_not_deleted BEFORE DELETE ON ledger
BEGIN
    SELECT RAISE(ABORT, 'ledger rows are append-only');
END;
"""

_LEDGER_REASONS_TABLE: Final = """
-- The reasons a balance may change are rows of their own, which the ledger refers to: a new
-- way to pay or to credit is one INSERT, not another rebuild of the ledger as a wider CHECK
-- needs. This is the last such rebuild: it keeps the rows, their ids, the AUTOINCREMENT
-- counter, the indexes and the append-only triggers.
CREATE TABLE ledger_reasons (
    name TEXT PRIMARY KEY
) WITHOUT ROWID;
INSERT INTO ledger_reasons (name) VALUES
    ('topup'), ('order_charge'), ('refund'), ('admin_adjustment'), ('referral_bonus'),
    ('stars_refund'), ('referral_reversal'),
    -- Top-ups by Crypto Pay and by a transfer an admin approved; a promo code's voucher,
    -- and its bonus on a top-up.
    ('crypto_topup'), ('manual_topup'), ('promo_voucher'), ('promo_bonus');
CREATE TABLE ledger_new (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id    INTEGER NOT NULL REFERENCES users (id),
    amount     INTEGER NOT NULL CHECK (amount <> 0),
    reason     TEXT NOT NULL REFERENCES ledger_reasons (name),
    key        TEXT NOT NULL UNIQUE,
    order_id   INTEGER REFERENCES orders (id),
    note       TEXT,
    created_at TEXT NOT NULL
);
INSERT INTO ledger_new (id, user_id, amount, reason, key, order_id, note, created_at)
    SELECT id, user_id, amount, reason, key, order_id, note, created_at FROM ledger ORDER BY id;
DELETE FROM sqlite_sequence WHERE name = 'ledger_new';
INSERT INTO sqlite_sequence (name, seq) SELECT 'ledger_new', seq FROM sqlite_sequence
    WHERE name = 'ledger';
DROP TABLE ledger;
ALTER TABLE ledger_new RENAME TO ledger;
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
"""

_MANUAL_PAYMENTS: Final = """
-- Top-ups by a transfer: the customer's request with the receipt they sent, and an admin's
-- decision. A receipt (its chat and message) makes one request however often its update
-- comes; a request leaves 'pending' once, so it is approved (and credited) or rejected once.
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
CREATE INDEX manual_payments_by_status ON manual_payments (status, id);
CREATE INDEX manual_payments_by_user ON manual_payments (user_id, status);
"""

#: The version that adds the requests of top-ups by transfer.
MANUAL_PAYMENTS_VERSION: Final = 9

_CRYPTO_INVOICES: Final = """
-- A top-up invoice of Crypto Pay. The row is written before Crypto Pay is asked, under the
-- shop's own random key (sent as the invoice's payload), so an invoice whose creation lost
-- its answer can still be found and settled; Crypto Pay's id comes with the answer.
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
-- The poll reads the invoices still open; a customer's invoices are listed by user.
CREATE INDEX crypto_invoices_open ON crypto_invoices (status, created_at)
    WHERE status IN ('creating', 'active');
CREATE INDEX crypto_invoices_by_user ON crypto_invoices (user_id, id);
"""

#: The migration that adds Crypto Pay's invoices.
CRYPTO_INVOICES_VERSION: Final = 10

_PROMO_CODES: Final = """
-- Promo codes an admin created: an amount credited as it is redeemed (a voucher), or a
-- percent added to the customer's next top-up. ``value`` is micro-units for an amount and
-- hundredths of a percent for a percent; ``max_uses`` NULL means no limit. The CHECK on
-- ``uses`` is the last word on the limit: no write can take a use past it.
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
-- One use per customer per code. A percent code's bonus waits (``bonus_percent`` set,
-- ``applied_at`` NULL) until the customer's next top-up, whose ledger key it records.
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
-- At most one bonus waits per customer.
CREATE UNIQUE INDEX promo_one_pending_bonus ON promo_redemptions (user_id)
    WHERE bonus_percent IS NOT NULL AND applied_at IS NULL;
-- Codes a customer typed that were no good, for throttling guesses; kept across restarts.
CREATE TABLE promo_wrong_attempts (
    id           INTEGER PRIMARY KEY,
    user_id      INTEGER NOT NULL,
    attempted_at TEXT NOT NULL
);
CREATE INDEX promo_wrong_attempts_by_user ON promo_wrong_attempts (user_id, attempted_at);
"""

#: The version that adds promo codes (tests name it by this constant).
PROMO_CODES_VERSION: Final = 11

_MANUAL_PAYMENT_FORMS: Final = """
-- The form a request came from: the details shown once for one amount. Receipts that reach
-- the bot together (an album, two photos at once) are handled at the same time, and each
-- finds the form waiting: the form's key makes them one request, which cannot be approved
-- (and credited) twice.
ALTER TABLE manual_payments ADD COLUMN form_key TEXT;
CREATE UNIQUE INDEX manual_payments_by_form ON manual_payments (user_id, form_key)
    WHERE form_key IS NOT NULL;
"""

#: The version that gives a transfer request the key of the form it came from.
MANUAL_PAYMENT_FORMS_VERSION: Final = 12

_BANS: Final = """
-- A customer the staff banned: served nothing more, while their running orders are still
-- tracked and refunded and their balance kept.
ALTER TABLE users ADD COLUMN banned_at TEXT;
ALTER TABLE users ADD COLUMN ban_reason TEXT;
CREATE INDEX users_banned ON users (banned_at) WHERE banned_at IS NOT NULL;
"""

#: The version that lets the staff ban a customer.
BANS_VERSION: Final = 13

_SEVERAL_PANELS: Final = """
-- The shop sells from several panels. A shop service (``services``: the id customers see,
-- the owner's switches) is sold through listings of panel services (``panel_services``),
-- one per panel at most. ``prefer`` names the panel whose listing the shop shows and
-- places at, or is 'cheapest'. The panel columns left in ``services`` are a copy of that
-- listing's (the shown one), written with it at each sync, so every catalogue query stays
-- on one indexed table.
CREATE TABLE panel_services (
    panel            TEXT NOT NULL,
    panel_service_id INTEGER NOT NULL,
    service_id       INTEGER NOT NULL REFERENCES services (id),
    name             TEXT NOT NULL,
    type             TEXT NOT NULL,
    category         TEXT NOT NULL,
    rate             TEXT NOT NULL,
    min              INTEGER NOT NULL,
    max              INTEGER NOT NULL,
    refill           INTEGER NOT NULL DEFAULT 0 CHECK (refill IN (0, 1)),
    cancel           INTEGER NOT NULL DEFAULT 0 CHECK (cancel IN (0, 1)),
    dripfeed         INTEGER NOT NULL DEFAULT 0 CHECK (dripfeed IN (0, 1)),
    on_panel         INTEGER NOT NULL DEFAULT 1 CHECK (on_panel IN (0, 1)),
    synced_at        TEXT NOT NULL,
    PRIMARY KEY (panel, panel_service_id),
    -- A shop service has at most one listing at each panel.
    UNIQUE (service_id, panel)
);
ALTER TABLE services ADD COLUMN prefer TEXT NOT NULL DEFAULT 'main';
-- Until now the shop had one panel, 'main', and its service ids were the panel's: each
-- service becomes main's listing of the same panel id, under the same shop id.
INSERT INTO panel_services (panel, panel_service_id, service_id, name, type, category, rate,
        min, max, refill, cancel, dripfeed, on_panel, synced_at)
    SELECT 'main', id, id, name, type, category, rate, min, max, refill, cancel, dripfeed,
        on_panel, synced_at
    FROM services ORDER BY id;

-- An order records the panel it was placed at and the panel's service id; a panel's order
-- ids (and refill ids) are unique at that panel only. SQLite cannot change a UNIQUE: the
-- tables are rebuilt, keeping their rows, ids, AUTOINCREMENT counters and indexes.
CREATE TABLE orders_new (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id          INTEGER NOT NULL REFERENCES users (id),
    quote_id         TEXT NOT NULL UNIQUE REFERENCES quotes (id),
    service_id       INTEGER NOT NULL REFERENCES services (id),
    order_type       TEXT NOT NULL,
    link             TEXT,
    quantity         INTEGER NOT NULL CHECK (quantity >= 0),
    fields           TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(fields)),
    price            INTEGER NOT NULL CHECK (price >= 0),
    cost             INTEGER NOT NULL CHECK (cost >= 0),
    state            TEXT NOT NULL CHECK (state IN (
                         'submitting', 'unknown', 'pending', 'in_progress', 'processing',
                         'completed', 'partial', 'canceled', 'refunded', 'failed')),
    panel            TEXT NOT NULL DEFAULT 'main',
    panel_service_id INTEGER,
    panel_order_id   INTEGER,
    panel_status     TEXT,
    start_count      INTEGER,
    remains          INTEGER,
    panel_charge     TEXT,
    error            TEXT,
    item_errors      INTEGER NOT NULL DEFAULT 0,
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL,
    last_polled_at   TEXT,
    refund_held_at   TEXT,
    UNIQUE (panel, panel_order_id)
);
INSERT INTO orders_new (id, user_id, quote_id, service_id, order_type, link, quantity, fields,
        price, cost, state, panel, panel_service_id, panel_order_id, panel_status,
        start_count, remains, panel_charge, error, item_errors, created_at, updated_at,
        last_polled_at, refund_held_at)
    SELECT id, user_id, quote_id, service_id, order_type, link, quantity, fields, price, cost,
        state, 'main', service_id, panel_order_id, panel_status, start_count, remains,
        panel_charge, error, item_errors, created_at, updated_at, last_polled_at,
        refund_held_at
    FROM orders ORDER BY id;
DELETE FROM sqlite_sequence WHERE name = 'orders_new';
INSERT INTO sqlite_sequence (name, seq) SELECT 'orders_new', seq FROM sqlite_sequence
    WHERE name = 'orders';
DROP TABLE orders;
ALTER TABLE orders_new RENAME TO orders;
CREATE INDEX orders_by_state ON orders (state);
CREATE INDEX orders_by_user_newest ON orders (user_id, id DESC);

CREATE TABLE refills_new (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    order_id        INTEGER NOT NULL REFERENCES orders (id),
    user_id         INTEGER NOT NULL REFERENCES users (id),
    state           TEXT NOT NULL CHECK (state IN (
                        'requesting', 'pending', 'in_progress', 'processing', 'completed',
                        'rejected', 'canceled', 'error', 'refused')),
    panel           TEXT NOT NULL DEFAULT 'main',
    panel_refill_id INTEGER,
    panel_status    TEXT,
    error           TEXT,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    UNIQUE (panel, panel_refill_id)
);
INSERT INTO refills_new (id, order_id, user_id, state, panel, panel_refill_id, panel_status,
        error, created_at, updated_at)
    SELECT id, order_id, user_id, state, 'main', panel_refill_id, panel_status, error,
        created_at, updated_at
    FROM refills ORDER BY id;
DELETE FROM sqlite_sequence WHERE name = 'refills_new';
INSERT INTO sqlite_sequence (name, seq) SELECT 'refills_new', seq FROM sqlite_sequence
    WHERE name = 'refills';
DROP TABLE refills;
ALTER TABLE refills_new RENAME TO refills;
CREATE INDEX refills_by_order ON refills (order_id);
-- Two taps on "Refill" must not become two refill requests at the panel.
CREATE UNIQUE INDEX refills_one_active_per_order ON refills (order_id)
    WHERE state IN ('requesting', 'pending', 'in_progress', 'processing');
"""

#: The version that lets the shop sell from several panels (tests name it by this constant).
SEVERAL_PANELS_VERSION: Final = 14

_SUPPORT: Final = """
-- Support conversations between customers and the staff in the admin group.
-- A customer's forum topic in the admin group, created on their first message there.
CREATE TABLE support_topics (
    user_id    INTEGER PRIMARY KEY REFERENCES users (id),
    chat_id    INTEGER NOT NULL,
    thread_id  INTEGER NOT NULL,
    created_at TEXT NOT NULL
);
CREATE UNIQUE INDEX support_topics_by_thread ON support_topics (chat_id, thread_id);
-- A conversation: open until the staff close it; a customer has one open at most.
CREATE TABLE support_tickets (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id    INTEGER NOT NULL REFERENCES users (id),
    order_id   INTEGER REFERENCES orders (id),
    state      TEXT NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'closed')),
    opened_at  TEXT NOT NULL,
    closed_at  TEXT,
    closed_by  INTEGER,
    -- When the customer was last asked to slow down: once per burst.
    warned_at  TEXT
);
CREATE UNIQUE INDEX support_tickets_one_open ON support_tickets (user_id) WHERE state = 'open';
CREATE INDEX support_tickets_open ON support_tickets (state, opened_at);
-- Which message in the group is which in the customer's chat, so a reply finds its
-- customer after a restart. 'in': the customer wrote (or its header); 'out': staff answered.
CREATE TABLE support_messages (
    id                  INTEGER PRIMARY KEY AUTOINCREMENT,
    ticket_id           INTEGER NOT NULL REFERENCES support_tickets (id),
    user_id             INTEGER NOT NULL REFERENCES users (id),
    direction           TEXT NOT NULL CHECK (direction IN ('in', 'out')),
    is_header           INTEGER NOT NULL DEFAULT 0 CHECK (is_header IN (0, 1)),
    customer_message_id INTEGER,
    -- Telegram numbers messages per chat: a message in the group is its chat and its id.
    group_chat_id       INTEGER,
    group_message_id    INTEGER,
    outbox_id           INTEGER,
    created_at          TEXT NOT NULL
);
CREATE INDEX support_messages_by_group ON support_messages (group_chat_id, group_message_id);
CREATE INDEX support_messages_by_customer ON support_messages (user_id, customer_message_id);
CREATE INDEX support_messages_by_outbox ON support_messages (outbox_id);
CREATE INDEX support_messages_recent ON support_messages (user_id, direction, created_at);
-- The outbox delivers copies of messages, into a customer's topic, as replies.
ALTER TABLE outbox ADD COLUMN copy_from_chat_id INTEGER;
ALTER TABLE outbox ADD COLUMN copy_message_id INTEGER;
-- The customer whose topic in the group the message goes to (created when missing).
ALTER TABLE outbox ADD COLUMN topic_user_id INTEGER;
ALTER TABLE outbox ADD COLUMN reply_to_message_id INTEGER;
-- Reply to the message another outbox row became, once it is sent.
ALTER TABLE outbox ADD COLUMN reply_to_outbox_id INTEGER;
ALTER TABLE outbox ADD COLUMN sent_message_id INTEGER;
-- A header wanted only where its message does not go into the customer's topic (the group
-- turned out to have no topics the bot may use): dropped, unsent, where the topic exists.
ALTER TABLE outbox ADD COLUMN outside_topic_only INTEGER NOT NULL DEFAULT 0
    CHECK (outside_topic_only IN (0, 1));
"""

#: The version that adds support conversations (tests name it by this constant).
SUPPORT_VERSION: Final = 15

_SERVICE_DETAILS: Final = """
-- What a panel's services answer says of a service beyond its terms, per listing (as
-- plain text, see shop.descriptions); and the shop's own description of a shop service,
-- which wins over the panel's on the card.
ALTER TABLE panel_services ADD COLUMN description TEXT;
ALTER TABLE panel_services ADD COLUMN average_time TEXT;
ALTER TABLE services ADD COLUMN own_description TEXT;
"""

#: The version that keeps services' descriptions and average times.
SERVICE_DETAILS_VERSION: Final = 16

_CATALOGUE_GENERATION: Final = """
-- A number that grows with every change to the services table, by any writer in any
-- process: what a process read of the catalogue stays good while it is the same.
-- (A migration that rebuilds services must make these triggers again.)
CREATE TABLE catalogue_generation (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    generation INTEGER NOT NULL
);
INSERT INTO catalogue_generation (id, generation) VALUES (1, 0);
CREATE TRIGGER services_inserted AFTER INSERT ON services
BEGIN
    UPDATE catalogue_generation SET generation = generation + 1;
END;
CREATE TRIGGER services_updated AFTER UPDATE ON services
BEGIN
    UPDATE catalogue_generation SET generation = generation + 1;
END;
CREATE TRIGGER services_deleted AFTER DELETE ON services
BEGIN
    UPDATE catalogue_generation SET generation = generation + 1;
END;
"""

#: The version that counts the catalogue's changes.
CATALOGUE_GENERATION_VERSION: Final = 17

_ORDERS_BY_PANEL_AND_STATE: Final = """
-- The tracker pages through one panel's running orders by id: with this index each state's
-- walk reads that panel's rows only, however many the other panels have.
CREATE INDEX orders_by_panel_state ON orders (panel, state);
"""


#: Every migration, oldest first. Append new ones; never edit a shipped one.
MIGRATIONS: Final[tuple[Migration, ...]] = (
    Migration(1, _INITIAL_SCHEMA),
    Migration(2, _LIST_AND_QUEUE_INDEXES),
    Migration(3, _CANCEL_REQUESTS),
    Migration(4, _STAR_INVOICES),
    Migration(5, _LEDGER_BY_REASON),
    Migration(6, _REFUND_HOLD),
    Migration(7, _INVOICE_EXPIRY_AND_REFERRAL_REVERSAL),
    Migration(8, _LEDGER_REASONS_TABLE),
    Migration(MANUAL_PAYMENTS_VERSION, _MANUAL_PAYMENTS),
    Migration(CRYPTO_INVOICES_VERSION, _CRYPTO_INVOICES),
    Migration(PROMO_CODES_VERSION, _PROMO_CODES),
    Migration(MANUAL_PAYMENT_FORMS_VERSION, _MANUAL_PAYMENT_FORMS),
    Migration(BANS_VERSION, _BANS),
    Migration(SEVERAL_PANELS_VERSION, _SEVERAL_PANELS, rebuilds_referenced_tables=True),
    Migration(SUPPORT_VERSION, _SUPPORT),
    Migration(SERVICE_DETAILS_VERSION, _SERVICE_DETAILS),
    Migration(CATALOGUE_GENERATION_VERSION, _CATALOGUE_GENERATION),
    Migration(18, _ORDERS_BY_PANEL_AND_STATE),
)

#: The schema version this code writes.
LATEST_VERSION: Final = MIGRATIONS[-1].version


async def applied_versions(conn: Connection) -> set[int]:
    """The versions recorded in ``schema_migrations`` (the table is created if missing)."""
    await conn.execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations ("
        " version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)"
    )
    rows = await conn.execute_fetchall("SELECT version FROM schema_migrations")
    return {int(row[0]) for row in rows}


async def migrate(
    conn: Connection,
    location: str,
    migrations: Sequence[Migration] = MIGRATIONS,
) -> list[int]:
    """Apply the missing ``migrations`` on ``conn`` (in autocommit mode); the versions applied.

    Raises :class:`SchemaTooNew` when the database records a version above the last of
    ``migrations``; ``location`` names the database in that message.
    """
    known = max((m.version for m in migrations), default=0)
    recorded = await applied_versions(conn)
    newest = max(recorded, default=0)
    if newest > known:
        raise SchemaTooNew(
            f"the database at {location} was written by a newer version of the bot "
            f"(schema {newest}, this version knows up to {known}); upgrade the bot"
        )
    applied: list[int] = []
    for migration in sorted(migrations, key=lambda m: m.version):
        if migration.version in recorded:
            continue
        if await _apply(conn, migration):
            applied.append(migration.version)
    return applied


async def _apply(conn: Connection, migration: Migration) -> bool:
    """Apply ``migration`` in one transaction with its record; False if already applied."""
    if migration.rebuilds_referenced_tables:
        # Only outside a transaction does this pragma take effect (SQLite's own procedure
        # for rebuilding a table); the references are checked before the commit instead.
        await conn.execute("PRAGMA foreign_keys = OFF")
    applied = False
    try:
        await conn.execute("BEGIN IMMEDIATE")
        try:
            # Checked again inside the write lock: another process may have just applied it.
            done = await conn.execute_fetchall(
                "SELECT 1 FROM schema_migrations WHERE version = ?", (migration.version,)
            )
            if not list(done):
                for statement in migration.statements():
                    await conn.execute(statement)
                if migration.rebuilds_referenced_tables:
                    await _check_references(conn, migration.version)
                await conn.execute(
                    "INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)",
                    (migration.version, to_db_time(utc_now())),
                )
                applied = True
            await conn.execute("COMMIT")
        except BaseException:
            # When BEGIN itself failed there is nothing to roll back.
            with contextlib.suppress(sqlite3.OperationalError):
                await conn.execute("ROLLBACK")
            raise
    finally:
        if migration.rebuilds_referenced_tables:
            await conn.execute("PRAGMA foreign_keys = ON")
    return applied


async def _check_references(conn: Connection, version: int) -> None:
    broken = list(await conn.execute_fetchall("PRAGMA foreign_key_check"))
    if broken:
        table, rowid, parent = broken[0][0], broken[0][1], broken[0][2]
        raise sqlite3.IntegrityError(
            f"migration {version} left {table} row {rowid} referring to a missing {parent}"
        )
