-- gdpr-obligations, SQLite schema version 2: the `ChatHistory` reference source.
--
-- Every table is keyed by controller first (WITHOUT ROWID: the key is the table's order), and
-- every lookup an operation on one subject makes is a range of a key: visitors by id, by a
-- normalised identifier, by a word an identifier starts with, by the keyed hash an erasure
-- left, or by a record it retained (`gdpr_chat_lookup`); conversations, participants and
-- messages by conversation; participations and messages by visitor. So the cost of finding,
-- exporting or erasing a subject follows the subject's own data, not the size of the history.
-- Ids are 16-byte UUID blobs; bodies are JSON text; instants are JSON (RFC 3339) text.

-- A visitor: profile, IP addresses, restriction and erasure tombstone, as one JSON body.
CREATE TABLE gdpr_chat_visitors (
    controller BLOB NOT NULL,
    visitor    BLOB NOT NULL,
    body       TEXT NOT NULL,
    PRIMARY KEY (controller, visitor)
) WITHOUT ROWID;

-- What finds a visitor, derived from the body and rewritten with it. `kind` is `id` (a
-- normalised identifier held in clear), `word` (the first word of one, lower case, to find
-- the identifiers a text may hold), `key` (a keyed hash an erasure kept) or `retained` (a
-- record an erasure kept under Art. 17(3)).
CREATE TABLE gdpr_chat_lookup (
    controller BLOB NOT NULL,
    kind       TEXT NOT NULL,
    value      TEXT NOT NULL,
    visitor    BLOB NOT NULL,
    PRIMARY KEY (controller, kind, value, visitor)
) WITHOUT ROWID;
CREATE INDEX gdpr_chat_lookup_by_visitor ON gdpr_chat_lookup (controller, visitor);

-- A conversation: when it started and its last message or join, as JSON.
CREATE TABLE gdpr_chat_conversations (
    controller   BLOB NOT NULL,
    conversation BLOB NOT NULL,
    body         TEXT NOT NULL,
    PRIMARY KEY (controller, conversation)
) WITHOUT ROWID;

CREATE TABLE gdpr_chat_participants (
    controller   BLOB NOT NULL,
    conversation BLOB NOT NULL,
    visitor      BLOB NOT NULL,
    joined_at    TEXT NOT NULL,
    PRIMARY KEY (controller, conversation, visitor)
) WITHOUT ROWID;
CREATE INDEX gdpr_chat_participants_by_visitor ON gdpr_chat_participants (controller, visitor);

-- A message; `author` is the visitor who wrote it (NULL for agents, the bot and pseudonyms).
CREATE TABLE gdpr_chat_messages (
    controller   BLOB NOT NULL,
    conversation BLOB NOT NULL,
    message      BLOB NOT NULL,
    author       BLOB,
    body         TEXT NOT NULL,
    PRIMARY KEY (controller, conversation, message)
) WITHOUT ROWID;
CREATE INDEX gdpr_chat_messages_by_author ON gdpr_chat_messages (controller, author) WHERE author IS NOT NULL;
