-- gdpr-obligations, SQLite schema version 3: the change feed.
--
-- Every write to the ledger gets a position in its controller's feed in the write's own
-- transaction: one per event appended, one per document written (except feed cursors). The
-- feed copies no body: an entry names the event (read back from `gdpr_events` by its stream
-- and number) or the document and the version written.

-- The feed: positions from 1 per controller, without gaps. `entity` is `event` (then `kind`,
-- `id` and `version` are the stream's kind, id and the event's number in it) or `document`
-- (the document's kind, id and the version the write made).
CREATE TABLE gdpr_feed (
    controller BLOB NOT NULL,
    position   INTEGER NOT NULL CHECK (position > 0),
    entity     TEXT NOT NULL CHECK (entity IN ('event', 'document')),
    kind       TEXT NOT NULL,
    id         BLOB NOT NULL,
    version    INTEGER NOT NULL CHECK (version > 0),
    PRIMARY KEY (controller, position)
) WITHOUT ROWID;

-- The last position of each controller's feed. Writers add to it and insert below it in the
-- same transaction (in SQLite the write lock already orders them; the table keeps the
-- statements the same as PostgreSQL's).
CREATE TABLE gdpr_feed_heads (
    controller BLOB NOT NULL PRIMARY KEY,
    position   INTEGER NOT NULL CHECK (position >= 0)
) WITHOUT ROWID;

-- What was written before this version gets positions too, so that a consumer starting from
-- the beginning sees everything once: every document at its current version (earlier
-- versions left no trace), then every event, ordered by id (UUID v7 ids follow creation time)
-- and within a stream in the stream's order. The order across streams before the upgrade was
-- not recorded, so it is only approximately the order written.
INSERT INTO gdpr_feed (controller, position, entity, kind, id, version)
SELECT controller, ROW_NUMBER() OVER (PARTITION BY controller ORDER BY grp, id, kind, version), entity, kind, id, version
FROM (
    SELECT controller, 0 AS grp, 'document' AS entity, kind, id, version FROM gdpr_documents
    UNION ALL
    SELECT controller, 1 AS grp, 'event' AS entity, stream_kind AS kind, stream_id AS id, seq AS version
    FROM gdpr_events
) AS existing;

INSERT INTO gdpr_feed_heads (controller, position)
SELECT controller, MAX(position) FROM gdpr_feed GROUP BY controller;

-- A correction to the comments of schema version 2, whose text is applied as written: a `word`
-- row of `gdpr_chat_lookup` holds the first three words of an identifier (all of them when it
-- has fewer), lower case, joined by single spaces, not its first word; rows written before keys
-- had three words hold one, and lookups still find those.
