-- gdpr-obligations, PostgreSQL schema version 5: every agent of a controller's chat, by name.
--
-- An export shows agents by role only (Art. 15(4)): it redacts the name of every agent of the
-- controller wherever it appears, also where an agent is named in a conversation they never
-- wrote in. This table lists those names, keyed by controller first (one export reads one
-- range of the key). Posting an agent's message adds its author's name.
CREATE TABLE gdpr_chat_agents (
    controller uuid NOT NULL,
    name       text NOT NULL,
    PRIMARY KEY (controller, name)
);

-- The agents of the messages already stored: a message body's author is
-- `{"role": "agent", "value": <name>}`.
INSERT INTO gdpr_chat_agents (controller, name)
SELECT DISTINCT controller, body::jsonb -> 'author' ->> 'value'
FROM gdpr_chat_messages
WHERE author IS NULL AND body::jsonb -> 'author' ->> 'role' = 'agent'
ON CONFLICT (controller, name) DO NOTHING;
