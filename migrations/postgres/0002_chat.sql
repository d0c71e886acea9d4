-- gdpr-obligations, PostgreSQL schema version 2: the `ChatHistory` reference source.
--
-- Every primary key starts with the controller (so the tables can be distributed by it), and
-- every lookup an operation on one subject makes is a range of a key: visitors by id, by a
-- normalised identifier, by a word an identifier starts with, by the keyed hash an erasure
-- left, or by a record it retained (`gdpr_chat_lookup`); conversations, participants and
-- messages by conversation; participations and messages by visitor. So the cost of finding,
-- exporting or erasing a subject follows the subject's own data, not the size of the history.
-- Bodies are JSON text (the exact text written); instants are JSON (RFC 3339) text.

-- A visitor: profile, IP addresses, restriction and erasure tombstone, as one JSON body.
CREATE TABLE gdpr_chat_visitors (
    controller uuid NOT NULL,
    visitor    uuid NOT NULL,
    body       text NOT NULL,
    PRIMARY KEY (controller, visitor)
);

-- What finds a visitor, derived from the body and rewritten with it. `kind` is `id` (a
-- normalised identifier held in clear), `word` (the first word of one, lower case, to find
-- the identifiers a text may hold), `key` (a keyed hash an erasure kept) or `retained` (a
-- record an erasure kept under Art. 17(3)).
CREATE TABLE gdpr_chat_lookup (
    controller uuid NOT NULL,
    kind       text NOT NULL,
    value      text NOT NULL,
    visitor    uuid NOT NULL,
    PRIMARY KEY (controller, kind, value, visitor)
);
CREATE INDEX gdpr_chat_lookup_by_visitor ON gdpr_chat_lookup (controller, visitor);

-- A conversation: when it started and its last message or join, as JSON.
CREATE TABLE gdpr_chat_conversations (
    controller   uuid NOT NULL,
    conversation uuid NOT NULL,
    body         text NOT NULL,
    PRIMARY KEY (controller, conversation)
);

CREATE TABLE gdpr_chat_participants (
    controller   uuid NOT NULL,
    conversation uuid NOT NULL,
    visitor      uuid NOT NULL,
    joined_at    text NOT NULL,
    PRIMARY KEY (controller, conversation, visitor)
);
CREATE INDEX gdpr_chat_participants_by_visitor ON gdpr_chat_participants (controller, visitor);

-- A message; `author` is the visitor who wrote it (NULL for agents, the bot and pseudonyms).
CREATE TABLE gdpr_chat_messages (
    controller   uuid NOT NULL,
    conversation uuid NOT NULL,
    message      uuid NOT NULL,
    author       uuid,
    body         text NOT NULL,
    PRIMARY KEY (controller, conversation, message)
);
CREATE INDEX gdpr_chat_messages_by_author ON gdpr_chat_messages (controller, author) WHERE author IS NOT NULL;
