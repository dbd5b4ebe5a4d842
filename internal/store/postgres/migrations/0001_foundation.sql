-- Foundation: source checkpoints, the processed-event ledger and correlation windows.
-- Values that come from logs or the file system (checkpoint keys, event ids, group values) are
-- bytea: text refuses NUL and invalid UTF-8, and a hostile event must not be able to make a
-- write fail. Identifiers picket defines (rule ids, ledger scopes) are text.

-- One opaque cursor per source key.
CREATE TABLE checkpoints (
	key        bytea       PRIMARY KEY,
	cursor     bytea       NOT NULL,
	updated_at timestamptz NOT NULL DEFAULT now()
);

-- Processed events, for dedup within a bounded window; pruned by time.
CREATE TABLE ledger (
	scope text        NOT NULL,
	id    bytea       NOT NULL,
	at    timestamptz NOT NULL,
	PRIMARY KEY (scope, id)
);

CREATE INDEX ledger_at ON ledger (at);

-- One JSON document (correlate.Window) per correlation rule and group. newest is Unix
-- nanoseconds: timestamptz keeps only microseconds, and the engine compares exact times.
-- doc is json, not jsonb: jsonb refuses \u0000, which event values may contain.
CREATE TABLE correlation_windows (
	rule       text        NOT NULL,
	grp        bytea       NOT NULL,
	newest     bigint      NOT NULL,
	doc        json        NOT NULL,
	updated_at timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (rule, grp)
);

-- Range scans one rule's groups by age; the index covers the query (index-only scans).
CREATE INDEX correlation_windows_rule_newest ON correlation_windows (rule, newest, grp);
