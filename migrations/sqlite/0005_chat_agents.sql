-- gdpr-obligations, SQLite schema version 5: every agent of a controller's chat, by name.
--
-- An export shows agents by role only (Art. 15(4)): it redacts the name of every agent of the
-- controller wherever it appears, also where an agent is named in a conversation they never
-- wrote in. This table lists those names, keyed by controller first (WITHOUT ROWID: one
-- export reads one range of the key). Posting an agent's message adds its author's name.
CREATE TABLE gdpr_chat_agents (
    controller BLOB NOT NULL,
    name       TEXT NOT NULL,
    PRIMARY KEY (controller, name)
) WITHOUT ROWID;

-- The agents of the messages already stored: a message body's author is
-- `{"role": "agent", "value": <name>}`.
INSERT INTO gdpr_chat_agents (controller, name)
SELECT DISTINCT controller, json_extract(body, '$.author.value')
FROM gdpr_chat_messages
WHERE author IS NULL AND json_extract(body, '$.author.role') = 'agent'
ON CONFLICT (controller, name) DO NOTHING;
