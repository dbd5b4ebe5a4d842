package postgres

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"picket/internal/alert"
	"picket/internal/store"
)

// Alerts is the alert.Repository (and alert.DetectionLister) of a Store: detections, alerts and
// silences in the tables of migration 0002. Ingest batches that share a fingerprint are
// serialised by transaction-scoped advisory locks on their fingerprints, so that several
// instances never both create an alert for one fingerprint. It is safe for concurrent use.
type Alerts struct{ s *Store }

var (
	_ alert.Repository      = (*Alerts)(nil)
	_ alert.DetectionLister = (*Alerts)(nil)
)

// Alerts returns the alert repository of s. (It is a value of its own, not methods of Store:
// alert.Repository's Get would clash with correlate.State's.)
func (s *Store) Alerts() alert.Repository { return &Alerts{s: s} }

// ingestAttempts bounds how often Ingest runs a batch that failed with a deadlock or
// serialization failure (store.ErrBusy).
const ingestAttempts = 5

// listPage bounds the rows one List query reads when filters must run in Go (text search).
const listPage = 500

const (
	lockFingerprints = `SELECT pg_advisory_xact_lock(k) FROM unnest($1::bigint[]) AS k`
	insertDetections = `INSERT INTO detections (id, rule_id, event_id, event_time, source, raw, doc)
		SELECT id, rule_id, event_id, event_time, source, raw, doc::json
		FROM unnest($1::text[], $2::text[], $3::bytea[], $4::bigint[], $5::text[], $6::bytea[], $7::text[])
			AS u(id, rule_id, event_id, event_time, source, raw, doc)
		ON CONFLICT DO NOTHING RETURNING id`
	selectCandidates = `SELECT a.id, a.fingerprint, a.doc FROM alerts a
		JOIN unnest($1::text[], $2::bigint[], $3::bigint[]) AS w(fp, lo, hi)
			ON a.fingerprint = w.fp AND a.last_seen >= w.lo AND a.first_seen <= w.hi
		FOR UPDATE OF a`
	upsertAlerts = `INSERT INTO alerts (id, fingerprint, rule_id, source, level, status, first_seen, last_seen, last_detected_at, doc)
		SELECT id, fingerprint, rule_id, source, level, status, first_seen, last_seen, last_detected_at, doc::json
		FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::smallint[], $6::text[], $7::bigint[], $8::bigint[], $9::bigint[], $10::text[])
			AS u(id, fingerprint, rule_id, source, level, status, first_seen, last_seen, last_detected_at, doc)
		ON CONFLICT (id) DO UPDATE SET fingerprint = excluded.fingerprint, rule_id = excluded.rule_id,
			source = excluded.source, level = excluded.level, status = excluded.status,
			first_seen = excluded.first_seen, last_seen = excluded.last_seen,
			last_detected_at = excluded.last_detected_at, doc = excluded.doc`
	linkDetections = `UPDATE detections d SET alert_id = u.alert_id
		FROM unnest($1::text[], $2::text[]) AS u(id, alert_id) WHERE d.id = u.id`
)

// Ingest implements alert.Repository.Ingest in one transaction of six statements: advisory
// locks on the batch's fingerprints (sorted keys, so batches never deadlock on them), one
// INSERT … ON CONFLICT DO NOTHING RETURNING of the detections (those not returned are
// duplicates), the candidate alerts of the new ones (locked FOR UPDATE against a concurrent
// Update), fold in Go, one upsert of the changed alerts and one update linking the detections.
// A deadlock or serialization failure runs the batch again (fold with it), up to
// ingestAttempts times.
func (r *Alerts) Ingest(ctx context.Context, ds []*alert.Detection, window time.Duration, fold alert.FoldFunc) ([]*alert.Alert, error) {
	if len(ds) == 0 {
		return []*alert.Alert{}, ctx.Err()
	}
	op := fmt.Sprintf("ingesting %d detections", len(ds))
	in, err := r.ingestArgs(ds)
	if err != nil {
		return nil, fmt.Errorf("postgres %s: %s: %w", r.s.name, op, err)
	}
	var out []*alert.Alert
	for attempt := 1; ; attempt++ {
		err = r.s.do(ctx, op, false, func(ctx context.Context) error {
			return pgx.BeginFunc(ctx, r.s.pool, func(tx pgx.Tx) error {
				var err error
				out, err = r.ingestTx(ctx, tx, ds, in, window, fold)
				return err
			})
		})
		if ferr, ok := store.AsCallerError(err); ok {
			return nil, ferr
		}
		if err == nil || !errors.Is(err, store.ErrBusy) || attempt == ingestAttempts || ctx.Err() != nil {
			return out, err
		}
		r.s.logger.Debug("retrying an ingest batch", "attempt", attempt, "err", err)
	}
}

// ingestInput is the part of a batch that does not depend on the database: the detections'
// columns (first occurrence of each id, sorted by id) and the sorted lock keys.
type ingestInput struct {
	locks                     []int64
	ids, rules, sources, docs []string
	events, raws              [][]byte
	times                     []int64
}

func (r *Alerts) ingestArgs(ds []*alert.Detection) (*ingestInput, error) {
	firsts := make(map[string]*alert.Detection, len(ds))
	keys := make(map[int64]bool)
	for _, d := range ds {
		if _, dup := firsts[d.ID]; !dup {
			firsts[d.ID] = d
		}
		keys[lockKey("alert", r.s.schema, d.Fingerprint)] = true
	}
	in := &ingestInput{}
	for k := range keys {
		in.locks = append(in.locks, k)
	}
	slices.Sort(in.locks)
	uniq := make([]*alert.Detection, 0, len(firsts))
	for _, d := range firsts {
		uniq = append(uniq, d)
	}
	slices.SortFunc(uniq, func(a, b *alert.Detection) int { return cmp.Compare(a.ID, b.ID) })
	for _, d := range uniq {
		c := *d
		c.Raw, c.AlertID = nil, ""
		doc, err := json.Marshal(&c)
		if err != nil {
			return nil, fmt.Errorf("encoding detection %s: %w", d.ID, err)
		}
		in.ids = append(in.ids, d.ID)
		in.rules = append(in.rules, d.RuleID)
		in.events = append(in.events, []byte(d.EventID))
		in.times = append(in.times, unixNanos(d.EventTime))
		in.sources = append(in.sources, d.Source)
		in.raws = append(in.raws, []byte(d.Raw))
		in.docs = append(in.docs, string(doc))
	}
	return in, nil
}

// ingestTx runs one attempt of Ingest in tx.
func (r *Alerts) ingestTx(ctx context.Context, tx pgx.Tx, ds []*alert.Detection, in *ingestInput, window time.Duration, fold alert.FoldFunc) ([]*alert.Alert, error) {
	if _, err := tx.Exec(ctx, lockFingerprints, in.locks); err != nil {
		return nil, fmt.Errorf("locking fingerprints: %w", err)
	}
	rows, err := tx.Query(ctx, insertDetections, in.ids, in.rules, in.events, in.times, in.sources, in.raws, in.docs)
	if err != nil {
		return nil, fmt.Errorf("inserting detections: %w", err)
	}
	inserted, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("inserting detections: %w", err)
	}
	isNew := make(map[string]bool, len(inserted))
	for _, id := range inserted {
		isNew[id] = true
	}
	// The new detections, in batch order, and the union of their windows per fingerprint.
	type span struct{ lo, hi int64 }
	spans := map[string]span{}
	var fresh []int
	for i, d := range ds {
		if !isNew[d.ID] {
			continue
		}
		isNew[d.ID] = false // a later occurrence in the batch is a duplicate
		fresh = append(fresh, i)
		lo, hi := unixNanos(d.EventTime.Add(-window)), unixNanos(d.EventTime.Add(window))
		if s, ok := spans[d.Fingerprint]; ok {
			lo, hi = min(lo, s.lo), max(hi, s.hi)
		}
		spans[d.Fingerprint] = span{lo, hi}
	}
	stored := map[string][]*alert.Alert{} // fingerprint → stored alerts meeting the span
	if len(spans) > 0 {
		var fps []string
		var los, his []int64
		for fp, s := range spans {
			fps, los, his = append(fps, fp), append(los, s.lo), append(his, s.hi)
		}
		rows, err := tx.Query(ctx, selectCandidates, fps, los, his)
		if err != nil {
			return nil, fmt.Errorf("reading candidate alerts: %w", err)
		}
		for rows.Next() {
			var id, fp string
			var doc []byte
			if err := rows.Scan(&id, &fp, &doc); err != nil {
				rows.Close()
				return nil, fmt.Errorf("reading candidate alerts: %w", err)
			}
			a, err := decodeAlert(id, doc)
			if err != nil {
				rows.Close()
				return nil, err
			}
			stored[fp] = append(stored[fp], a)
		}
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("reading candidate alerts: %w", err)
		}
	}
	b := store.NewFoldBatch(window)
	alertIDs := make([]string, len(ds))
	for _, i := range fresh {
		d := ds[i]
		if alertIDs[i], err = b.Fold(d, stored[d.Fingerprint], fold); err != nil {
			return nil, err
		}
	}
	if len(b.Order) > 0 {
		if err := upsert(ctx, tx, b); err != nil {
			return nil, err
		}
		var ids, links []string
		for _, i := range fresh {
			ids, links = append(ids, ds[i].ID), append(links, alertIDs[i])
		}
		if _, err := tx.Exec(ctx, linkDetections, ids, links); err != nil {
			return nil, fmt.Errorf("linking detections: %w", err)
		}
	}
	return b.Results(alertIDs), nil
}

// upsert stores the batch's changed alerts in one statement.
func upsert(ctx context.Context, tx pgx.Tx, b *store.FoldBatch) error {
	n := len(b.Order)
	ids, fps, rules, sources, statuses, docs := make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n)
	levels := make([]int16, n)
	first, last, detected := make([]int64, n), make([]int64, n), make([]int64, n)
	for j, id := range b.Order {
		a := b.Changed[id]
		doc, err := json.Marshal(a)
		if err != nil {
			return fmt.Errorf("encoding alert %s: %w", a.ID, err)
		}
		ids[j], fps[j], rules[j], sources[j], statuses[j], docs[j] = a.ID, a.Fingerprint, a.RuleID, a.Source, string(a.Status), string(doc)
		levels[j] = int16(a.Level)
		first[j], last[j], detected[j] = unixNanos(a.FirstSeen), unixNanos(a.LastSeen), unixNanos(a.LastDetectedAt)
	}
	if _, err := tx.Exec(ctx, upsertAlerts, ids, fps, rules, sources, levels, statuses, first, last, detected, docs); err != nil {
		return fmt.Errorf("storing %d alerts: %w", n, err)
	}
	return nil
}

// decodeAlert decodes the doc of alert id; a bad document is store.ErrCorrupt.
func decodeAlert(id string, doc []byte) (*alert.Alert, error) {
	a := new(alert.Alert)
	if err := json.Unmarshal(doc, a); err != nil {
		return nil, fmt.Errorf("decoding alert %s: %w: %w", id, store.ErrCorrupt, err)
	}
	return a, nil
}

// Update implements alert.Repository.Update: the row is read FOR UPDATE, so that a concurrent
// Update or Ingest waits rather than losing this change. fn may not change the alert's id or
// fingerprint.
func (r *Alerts) Update(ctx context.Context, id string, fn func(*alert.Alert) error) (*alert.Alert, error) {
	var out *alert.Alert
	err := r.s.do(ctx, "updating alert "+id, false, func(ctx context.Context) error {
		return pgx.BeginFunc(ctx, r.s.pool, func(tx pgx.Tx) error {
			var doc []byte
			err := tx.QueryRow(ctx, `SELECT doc FROM alerts WHERE id = $1 FOR UPDATE`, id).Scan(&doc)
			if errors.Is(err, pgx.ErrNoRows) {
				return store.CallerError{Err: fmt.Errorf("postgres %s: alert %s: %w", r.s.name, id, alert.ErrNotFound)}
			}
			if err != nil {
				return err
			}
			a, err := decodeAlert(id, doc)
			if err != nil {
				return err
			}
			fp := a.Fingerprint
			if err := fn(a); err != nil {
				return store.CallerError{Err: err}
			}
			a.ID, a.Fingerprint = id, fp
			b := store.NewFoldBatch(0)
			b.Order, b.Changed = []string{id}, map[string]*alert.Alert{id: a}
			if err := upsert(ctx, tx, b); err != nil {
				return err
			}
			out = a.Clone()
			return nil
		})
	})
	if cerr, ok := store.AsCallerError(err); ok {
		return nil, cerr
	}
	return out, err
}

// Get implements alert.Repository.Get.
func (r *Alerts) Get(ctx context.Context, id string) (*alert.Alert, error) {
	var doc []byte
	found := true
	err := r.s.do(ctx, "reading alert "+id, true, func(ctx context.Context) error {
		err := r.s.pool.QueryRow(ctx, `SELECT doc FROM alerts WHERE id = $1`, id).Scan(&doc)
		if errors.Is(err, pgx.ErrNoRows) {
			found = false
			return nil
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	if !found {
		return nil, fmt.Errorf("postgres %s: alert %s: %w", r.s.name, id, alert.ErrNotFound)
	}
	a, err := decodeAlert(id, doc)
	if err != nil {
		return nil, fmt.Errorf("postgres %s: %w", r.s.name, err)
	}
	return a, nil
}

// keyset is a position in List order.
type keyset struct {
	lastSeen int64
	id       string
}

// List implements alert.Repository.List. Every filter but Text is SQL; the rows come in List
// order from keyset pages ((last_seen, id) before the cursor), at most listPage (or the limit)
// at a time, so that a text search reads only as far as it needs to.
func (r *Alerts) List(ctx context.Context, q alert.Query) ([]*alert.Alert, error) {
	var after *keyset
	if q.After != "" {
		seen, id, err := alert.ParseCursor(q.After)
		if err != nil {
			return nil, err
		}
		after = &keyset{unixNanos(seen), id}
	}
	page := listPage
	if q.Text == "" && q.Limit > 0 {
		page = q.Limit
	}
	out := []*alert.Alert{}
	for {
		query, args := listQuery(q, after, page)
		var n int
		var last keyset
		err := r.s.do(ctx, "listing alerts", true, func(ctx context.Context) error {
			n, last = 0, keyset{}
			rows, err := r.s.pool.Query(ctx, query, args...)
			if err != nil {
				return err
			}
			defer rows.Close()
			var docs [][]byte
			var ids []string
			for rows.Next() {
				var doc []byte
				if err := rows.Scan(&last.id, &last.lastSeen, &doc); err != nil {
					return err
				}
				ids, docs = append(ids, last.id), append(docs, doc)
			}
			if err := rows.Err(); err != nil {
				return err
			}
			n = len(ids)
			for i, doc := range docs {
				a, err := decodeAlert(ids[i], doc)
				if err != nil {
					return err
				}
				if q.Match(a) {
					out = append(out, a)
				}
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
		if q.Limit > 0 && len(out) >= q.Limit {
			return out[:q.Limit], nil
		}
		if n < page {
			return out, nil
		}
		after = &last
	}
}

// listQuery returns the page query of q after the position after.
func listQuery(q alert.Query, after *keyset, page int) (string, []any) {
	var cond []string
	var args []any
	arg := func(v any) string {
		args = append(args, v)
		return "$" + strconv.Itoa(len(args))
	}
	if len(q.Status) > 0 {
		ss := make([]string, len(q.Status))
		for i, s := range q.Status {
			ss[i] = string(s)
		}
		cond = append(cond, `status = ANY(`+arg(ss)+`::text[])`)
	}
	if q.MinLevel > 0 {
		cond = append(cond, `level >= `+arg(int16(q.MinLevel)))
	}
	if q.RuleID != "" {
		cond = append(cond, `rule_id = `+arg(q.RuleID))
	}
	if q.Source != "" {
		cond = append(cond, `source = `+arg(q.Source))
	}
	if !q.Since.IsZero() {
		cond = append(cond, `last_seen >= `+arg(unixNanos(q.Since)))
	}
	if !q.Until.IsZero() {
		cond = append(cond, `last_seen < `+arg(unixNanos(q.Until)))
	}
	if !q.DetectedBefore.IsZero() {
		cond = append(cond, `last_detected_at < `+arg(unixNanos(q.DetectedBefore)))
	}
	if after != nil {
		cond = append(cond, `(last_seen, id) < (`+arg(after.lastSeen)+`, `+arg(after.id)+`)`)
	}
	query := `SELECT id, last_seen, doc FROM alerts`
	if len(cond) > 0 {
		query += ` WHERE ` + strings.Join(cond, ` AND `)
	}
	return query + ` ORDER BY last_seen DESC, id DESC LIMIT ` + arg(page), args
}
