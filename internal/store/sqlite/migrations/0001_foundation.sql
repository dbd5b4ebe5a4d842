-- Foundation: source checkpoints, the processed-event ledger and correlation windows.
-- Times are INTEGER Unix nanoseconds (UTC).

-- One opaque cursor per source key.
CREATE TABLE checkpoints (
	key        TEXT    NOT NULL PRIMARY KEY,
	cursor     BLOB    NOT NULL,
	updated_at INTEGER NOT NULL
) STRICT;

-- Processed events, for dedup within a bounded window; pruned by time.
CREATE TABLE ledger (
	scope TEXT    NOT NULL,
	id    TEXT    NOT NULL,
	at    INTEGER NOT NULL,
	PRIMARY KEY (scope, id)
) STRICT, WITHOUT ROWID;

CREATE INDEX ledger_at ON ledger (at);

-- One JSON document (correlate.Window) per correlation rule and group.
CREATE TABLE correlation_windows (
	rule       TEXT    NOT NULL,
	grp        TEXT    NOT NULL,
	newest     INTEGER NOT NULL,
	doc        TEXT    NOT NULL,
	updated_at INTEGER NOT NULL,
	PRIMARY KEY (rule, grp)
) STRICT;

-- Range scans one rule's groups by age; the index covers the query.
CREATE INDEX correlation_windows_rule_newest ON correlation_windows (rule, newest, grp);
