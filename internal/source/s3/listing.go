package s3

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	s3api "github.com/aws/aws-sdk-go-v2/service/s3"

	"picket/internal/source"
)

// dayLayout is the layout of CloudTrail's day folders.
const dayLayout = "2006/01/02"

// Checkpoint writes in listing mode happen after each day folder, and within one after
// saveEvery objects or saveInterval: a crash re-reads at most those objects, whose records
// the pipeline deduplicates.
const (
	saveEvery    = 100
	saveInterval = 10 * time.Second
)

// regionState is the checkpoint of one account and region folder
// (<prefix>[o-id/]<account>/CloudTrail/<region>/), under the key
// source/aws_s3/<name>/[o-id/]<account>/CloudTrail/<region>: the oldest day folder still
// listed, and the names of the objects read in each day folder from it on. Delivery order is
// not name order, so a set of names, not a last-key marker, says what was read.
//
// The set lives in Checkpoints rather than in the pipeline's Ledger: deciding whether to read
// a listed key needs a lookup before reading, and the Ledger only offers MarkProcessed, which
// records as it tests; marking before the records are accepted could lose the object in a
// crash. The set is small (the names of revisit+1 day folders, a few tens of KiB per region)
// and dropped with its day folder.
type regionState struct {
	V      int                 `json:"v"`
	Oldest string              `json:"oldest"`
	Done   map[string][]string `json:"done"`

	done map[string]map[string]bool
}

// pollBucket reads every account and region folder found under the prefix.
func (s *Source) pollBucket(ctx context.Context, sink source.Sink) error {
	folders, err := s.discover(ctx)
	if err != nil {
		return err
	}
	now := s.d.Clock().UTC()
	var errs []error
	for _, f := range folders {
		if err := s.pollRegion(ctx, sink, f, now); err != nil {
			if ctx.Err() != nil {
				return err
			}
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// discover returns the region folders to read: <prefix>[o-id/]<account>/CloudTrail/<region>/,
// restricted by accounts and regions_in_bucket.
func (s *Source) discover(ctx context.Context) ([]string, error) {
	top, err := s.listFolders(ctx, s.cfg.prefix())
	if err != nil {
		return nil, err
	}
	var accounts []string
	for _, p := range top {
		switch name := path.Base(p); {
		case isOrgID(name):
			sub, err := s.listFolders(ctx, p)
			if err != nil {
				return nil, err
			}
			for _, a := range sub {
				if isAccountID(path.Base(a)) {
					accounts = append(accounts, a)
				}
			}
		case isAccountID(name):
			accounts = append(accounts, p)
		}
	}
	var regions []string
	for _, a := range accounts {
		if len(s.cfg.Accounts) > 0 && !slices.Contains(s.cfg.Accounts, path.Base(a)) {
			continue
		}
		rs, err := s.listFolders(ctx, a+"CloudTrail/")
		if err != nil {
			return nil, err
		}
		for _, r := range rs {
			if len(s.cfg.RegionsInBucket) > 0 && !slices.Contains(s.cfg.RegionsInBucket, path.Base(r)) {
				continue
			}
			regions = append(regions, r)
		}
	}
	if len(regions) == 0 {
		s.log.Debug("no CloudTrail region folder found", "bucket", s.cfg.Bucket, "prefix", s.cfg.prefix())
	}
	return regions, nil
}

// pollRegion reads the unread objects of one region folder's day folders, from the
// checkpoint's oldest to today, then moves the checkpoint past the day folders older than
// revisit.
func (s *Source) pollRegion(ctx context.Context, sink source.Sink, folder string, now time.Time) error {
	key := "source/" + Type + "/" + s.name + "/" + strings.TrimSuffix(strings.TrimPrefix(folder, s.cfg.prefix()), "/")
	st, stored, err := s.loadState(ctx, key, now)
	if err != nil {
		return err
	}
	oldest, err := time.Parse(dayLayout, st.Oldest)
	if err != nil {
		return fmt.Errorf("checkpoint %s: oldest day %q: %w", key, st.Oldest, err)
	}
	today := truncDay(now)
	keep := truncDay(now.Add(-s.cfg.Revisit))
	unsaved, lastSave := 0, now
	if !stored {
		unsaved = 1 // pin start_at's day: the next poll's "-24h" would be another one
	}
	save := func() error {
		if unsaved == 0 && st.Oldest == oldest.Format(dayLayout) {
			return nil
		}
		st.Oldest = oldest.Format(dayLayout)
		if err := s.saveState(ctx, key, st); err != nil {
			return err
		}
		unsaved, lastSave = 0, s.d.Clock()
		return nil
	}
	var newest time.Time
	for day := oldest; !day.After(today); day = day.AddDate(0, 0, 1) {
		ds := day.Format(dayLayout)
		prefix := folder + ds + "/"
		keys, err := s.listKeys(ctx, prefix)
		if err != nil {
			return errors.Join(err, save())
		}
		done := st.done[ds]
		if done == nil {
			done = map[string]bool{}
			st.done[ds] = done
		}
		for _, k := range keys {
			name := strings.TrimPrefix(k, prefix)
			if done[name] || strings.Contains(name, "/") || skipKey(k) != "" {
				continue
			}
			err := s.readObject(ctx, sink, object{Bucket: s.cfg.Bucket, Key: k})
			if err != nil && !errors.Is(err, errObjectGone) {
				return errors.Join(err, save())
			}
			done[name] = true
			unsaved++
			if t := deliveryTime(name); t.After(newest) {
				newest = t
			}
			if unsaved >= saveEvery || s.d.Clock().Sub(lastSave) >= saveInterval {
				if err := save(); err != nil {
					return err
				}
			}
		}
		if day.Before(keep) && oldest.Equal(day) {
			delete(st.done, ds)
			oldest = day.AddDate(0, 0, 1)
		}
		if err := save(); err != nil {
			return err
		}
	}
	if !newest.IsZero() {
		s.d.Metrics.Lag.WithLabelValues(s.name).Set(now.Sub(newest).Seconds())
		s.d.Status.SetCheckpoint(s.name, fmt.Sprintf("s3://%s/%s: listing from %s", s.cfg.Bucket, folder, oldest.Format(dayLayout)), newest)
	}
	return nil
}

// loadState reads a region folder's checkpoint; a folder without one starts at start_at.
func (s *Source) loadState(ctx context.Context, key string, now time.Time) (st *regionState, stored bool, err error) {
	st = &regionState{V: 1, Done: map[string][]string{}, done: map[string]map[string]bool{}}
	data, ok, err := s.d.Checkpoints.Checkpoint(ctx, key)
	if err != nil {
		return nil, false, fmt.Errorf("reading checkpoint %s: %w", key, err)
	}
	if !ok || len(data) == 0 {
		start, err := parseStartAt(s.cfg.StartAt, now)
		if err != nil {
			return nil, false, fmt.Errorf("start_at: %w", err)
		}
		st.Oldest = truncDay(start).Format(dayLayout)
		return st, false, nil
	}
	if err := json.Unmarshal(data, st); err != nil {
		return nil, false, fmt.Errorf("decoding checkpoint %s: %w", key, err)
	}
	for day, names := range st.Done {
		m := make(map[string]bool, len(names))
		for _, n := range names {
			m[n] = true
		}
		st.done[day] = m
	}
	return st, true, nil
}

// saveState writes a region folder's checkpoint.
func (s *Source) saveState(ctx context.Context, key string, st *regionState) error {
	st.Done = make(map[string][]string, len(st.done))
	for day, m := range st.done {
		names := make([]string, 0, len(m))
		for n := range m {
			names = append(names, n)
		}
		slices.Sort(names)
		st.Done[day] = names
	}
	data, err := json.Marshal(st)
	if err != nil {
		return fmt.Errorf("encoding checkpoint %s: %w", key, err)
	}
	// What was accepted before ctx ended is recorded all the same.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), ackTimeout)
	defer cancel()
	if err := s.d.Checkpoints.SetCheckpoint(ctx, key, data); err != nil {
		return fmt.Errorf("saving checkpoint %s: %w", key, err)
	}
	return nil
}

// listFolders returns the folders directly under prefix (ListObjectsV2 with delimiter "/").
func (s *Source) listFolders(ctx context.Context, prefix string) ([]string, error) {
	var out []string
	err := s.list(ctx, prefix, "/", func(page *s3api.ListObjectsV2Output) {
		for _, p := range page.CommonPrefixes {
			out = append(out, aws.ToString(p.Prefix))
		}
	})
	return out, err
}

// listKeys returns every key under prefix, in name order.
func (s *Source) listKeys(ctx context.Context, prefix string) ([]string, error) {
	var out []string
	err := s.list(ctx, prefix, "", func(page *s3api.ListObjectsV2Output) {
		for _, o := range page.Contents {
			out = append(out, aws.ToString(o.Key))
		}
	})
	return out, err
}

// list pages through ListObjectsV2 until the listing is complete.
func (s *Source) list(ctx context.Context, prefix, delimiter string, page func(*s3api.ListObjectsV2Output)) error {
	in := &s3api.ListObjectsV2Input{Bucket: aws.String(s.cfg.Bucket), Prefix: aws.String(prefix)}
	if delimiter != "" {
		in.Delimiter = aws.String(delimiter)
	}
	if s.pageSize > 0 {
		in.MaxKeys = aws.Int32(s.pageSize)
	}
	p := s3api.NewListObjectsV2Paginator(s.clients.S3, in)
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		s.count("ListObjectsV2", err)
		if err != nil {
			return fmt.Errorf("listing s3://%s/%s: %w", s.cfg.Bucket, prefix, err)
		}
		page(out)
	}
	return nil
}

// deliveryTime reads the delivery minute from a CloudTrail file name
// (<account>_CloudTrail_<region>_20261125T1820Z_<unique>.json.gz); zero if there is none.
func deliveryTime(name string) time.Time {
	for part := range strings.SplitSeq(name, "_") {
		if len(part) == len("20060102T1504Z") && part[8] == 'T' && part[13] == 'Z' {
			if t, err := time.Parse("20060102T1504Z", part); err == nil {
				return t
			}
		}
	}
	return time.Time{}
}

// isOrgID reports whether s is an AWS Organizations id (o-exampleorgid), the folder an
// organization trail adds.
func isOrgID(s string) bool {
	id, ok := strings.CutPrefix(s, "o-")
	if !ok || len(id) < 10 || len(id) > 32 {
		return false
	}
	for _, c := range id {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}

func truncDay(t time.Time) time.Time {
	y, m, d := t.UTC().Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}
