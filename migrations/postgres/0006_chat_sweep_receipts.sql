-- gdpr-obligations, PostgreSQL schema version 6: the receipt of each retention sweep's last batch.
--
-- A set-based sweep batch (Art. 5(1)(e)) erases what expired and records, in the same
-- transaction, the outcomes it returned, under the sweep and the batch's cursor (`from_key`, the
-- batch before's last record key, '' for the first). A sweep interrupted after the batch
-- committed but before its own journal recorded it asks again with the same cursor and gets
-- the same outcomes, without erasing anything more (invariant 10). Only the last batch of a
-- sweep is kept; a sweep's row goes when it finds nothing more to erase. Record keys only:
-- no personal data.
CREATE TABLE gdpr_chat_sweeps (
    controller uuid NOT NULL,
    sweep      uuid NOT NULL,
    from_key   text NOT NULL,
    outcomes   text NOT NULL,
    PRIMARY KEY (controller, sweep)
);
