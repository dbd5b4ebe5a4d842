-- Notification outbox (notify.Outbox): one row per notification id, for ever (until pruned),
-- so that Enqueue is idempotent with INSERT … ON CONFLICT DO NOTHING. Times are INTEGER Unix
-- nanoseconds (UTC); a zero time (due at once, never retried, not delivered) is the smallest
-- INTEGER. next_attempt is when a pending entry is due and, for a delivering one, when its lease
-- ends. doc is the notify.Notification as JSON: it never changes.
CREATE TABLE outbox (
	id           TEXT    NOT NULL PRIMARY KEY,
	receiver     TEXT    NOT NULL,
	state        TEXT    NOT NULL CHECK (state IN ('pending', 'delivering', 'delivered', 'dead')),
	attempts     INTEGER NOT NULL DEFAULT 0,
	next_attempt INTEGER NOT NULL,
	created_at   INTEGER NOT NULL,
	retried_at   INTEGER NOT NULL,
	delivered_at INTEGER NOT NULL,
	last_error   TEXT    NOT NULL DEFAULT '',
	doc          TEXT    NOT NULL
) STRICT;

-- Claim: the due entries of one receiver in claim order. Partial: delivered and dead entries,
-- most of the table over time, are not in it, and Claim reads only the rows it takes (the
-- order by is the index order) instead of sorting every due row of the receiver.
CREATE INDEX outbox_due ON outbox (receiver, next_attempt, created_at, id)
	WHERE state IN ('pending', 'delivering');
-- List: oldest first, ties by id.
CREATE INDEX outbox_created ON outbox (created_at, id);
