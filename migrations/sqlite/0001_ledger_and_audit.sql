-- gdpr-obligations, SQLite schema version 1: the compliance ledger and the audit log.
--
-- Every table is keyed by controller first. WITHOUT ROWID makes the primary key the table's
-- own order, so every lookup (one document, one kind of documents, one stream, one page of a
-- log) is a range of that key and costs what it returns, not the size of the table.
-- Ids and controllers are 16-byte UUID blobs (ordered as `Uuid` orders); JSON is stored as the
-- exact text written.

-- Versioned documents (compare-and-swap on `version`).
CREATE TABLE gdpr_documents (
    controller BLOB NOT NULL,
    kind       TEXT NOT NULL,
    id         BLOB NOT NULL,
    version    INTEGER NOT NULL CHECK (version > 0),
    body       TEXT NOT NULL,
    PRIMARY KEY (controller, kind, id)
) WITHOUT ROWID;

-- One row per event stream: its version (= its number of events), for compare-and-swap and
-- for listing streams without reading their events.
CREATE TABLE gdpr_streams (
    controller BLOB NOT NULL,
    kind       TEXT NOT NULL,
    id         BLOB NOT NULL,
    version    INTEGER NOT NULL CHECK (version > 0),
    PRIMARY KEY (controller, kind, id)
) WITHOUT ROWID;

-- The events, numbered from 1 within their stream.
CREATE TABLE gdpr_events (
    controller  BLOB NOT NULL,
    stream_kind TEXT NOT NULL,
    stream_id   BLOB NOT NULL,
    seq         INTEGER NOT NULL CHECK (seq > 0),
    body        TEXT NOT NULL,
    PRIMARY KEY (controller, stream_kind, stream_id, seq)
) WITHOUT ROWID;

-- The audit log: one hash chain per controller, numbered from 1. `entry` is the exact JSON
-- text the hash was computed over.
CREATE TABLE gdpr_audit (
    controller BLOB NOT NULL,
    sequence   INTEGER NOT NULL CHECK (sequence > 0),
    previous   BLOB NOT NULL CHECK (length(previous) = 32),
    hash       BLOB NOT NULL CHECK (length(hash) = 32),
    entry      TEXT NOT NULL,
    PRIMARY KEY (controller, sequence)
) WITHOUT ROWID;
