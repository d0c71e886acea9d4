-- gdpr-obligations, PostgreSQL schema version 1: the compliance ledger and the audit log.
--
-- Every table's primary key starts with `controller`, so that a deployment can distribute the
-- tables by controller (e.g. Citus: `SELECT create_distributed_table('gdpr_documents',
-- 'controller')`, and likewise for each table) without a redesign, and every lookup (one
-- document, one kind of documents, one stream, one page of a log) is a range of the primary
-- key's index: it costs what it returns, not the size of the table.
-- JSON is stored as `text`, the exact text written (`jsonb` would reorder keys and refuse
-- `\u0000`; the audit hashes are over the exact text).

-- Versioned documents (compare-and-swap on `version`).
CREATE TABLE gdpr_documents (
    controller uuid   NOT NULL,
    kind       text   NOT NULL,
    id         uuid   NOT NULL,
    version    bigint NOT NULL CHECK (version > 0),
    body       text   NOT NULL,
    PRIMARY KEY (controller, kind, id)
);

-- One row per event stream: its version (= its number of events). Appenders update it under
-- compare-and-swap, so its row lock orders concurrent appends to one stream.
CREATE TABLE gdpr_streams (
    controller uuid   NOT NULL,
    kind       text   NOT NULL,
    id         uuid   NOT NULL,
    version    bigint NOT NULL CHECK (version > 0),
    PRIMARY KEY (controller, kind, id)
);

-- The events, numbered from 1 within their stream.
CREATE TABLE gdpr_events (
    controller  uuid   NOT NULL,
    stream_kind text   NOT NULL,
    stream_id   uuid   NOT NULL,
    seq         bigint NOT NULL CHECK (seq > 0),
    body        text   NOT NULL,
    PRIMARY KEY (controller, stream_kind, stream_id, seq)
);

-- The audit log: one hash chain per controller, numbered from 1. `entry` is the exact JSON
-- text the hash was computed over.
CREATE TABLE gdpr_audit (
    controller uuid   NOT NULL,
    sequence   bigint NOT NULL CHECK (sequence > 0),
    previous   bytea  NOT NULL CHECK (octet_length(previous) = 32),
    hash       bytea  NOT NULL CHECK (octet_length(hash) = 32),
    entry      text   NOT NULL,
    PRIMARY KEY (controller, sequence)
);

-- The head of each controller's chain (its last sequence and hash, 0 and zeros when empty).
-- Appenders lock it, so concurrent appends to one chain are numbered one after the other.
CREATE TABLE gdpr_audit_heads (
    controller uuid   NOT NULL PRIMARY KEY,
    sequence   bigint NOT NULL CHECK (sequence >= 0),
    hash       bytea  NOT NULL CHECK (octet_length(hash) = 32)
);
