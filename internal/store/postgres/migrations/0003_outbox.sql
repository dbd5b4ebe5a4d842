-- Notification outbox (notify.Outbox): one row per notification id, for ever (until pruned),
-- so that Enqueue is idempotent with INSERT … ON CONFLICT DO NOTHING, and several instances
-- claim due entries with SELECT … FOR UPDATE SKIP LOCKED. Times are bigint Unix nanoseconds
-- (timestamptz keeps only microseconds, and leases are compared exactly); a zero time (due at
-- once, never retried, not delivered) is the smallest bigint. next_attempt is when a pending
-- entry is due and, for a delivering one, when its lease ends. Ids and receivers are
-- COLLATE "C": List and Claim break ties by id bytewise, as Go compares strings. doc is the
-- notify.Notification as JSON in bytea, not json: it carries raw events, which may hold
-- \u0000 (jsonb refuses it) or bytes that are not UTF-8 (json refuses them), and a hostile event
-- must not be able to make the alert transaction that enqueues it fail.
CREATE TABLE outbox (
	id           text     COLLATE "C" PRIMARY KEY,
	receiver     text     COLLATE "C" NOT NULL,
	state        text     NOT NULL CHECK (state IN ('pending', 'delivering', 'delivered', 'dead')),
	attempts     integer  NOT NULL DEFAULT 0,
	next_attempt bigint   NOT NULL,
	created_at   bigint   NOT NULL,
	retried_at   bigint   NOT NULL,
	delivered_at bigint   NOT NULL,
	last_error   text     NOT NULL DEFAULT '',
	doc          bytea    NOT NULL
);

-- Claim: the due entries of one receiver in claim order. Partial: delivered and dead entries,
-- most of the table over time, are not in it, and Claim reads only the rows it takes (the
-- order by is the index order) instead of sorting every due row of the receiver.
CREATE INDEX outbox_due ON outbox (receiver, next_attempt, created_at, id)
	WHERE state IN ('pending', 'delivering');
-- List: oldest first, ties by id.
CREATE INDEX outbox_created ON outbox (created_at, id);
