package s3

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"picket/internal/source"
)

// keyIn is a CloudTrail key under an account folder path ("o-exampleorg1/111111111111" or
// "222222222222").
func keyIn(acctPath, region string, at time.Time, unique string) string {
	acct := acctPath[strings.LastIndexByte(acctPath, '/')+1:]
	return fmt.Sprintf("AWSLogs/%s/CloudTrail/%s/%s/%s_CloudTrail_%s_%s_%s.json.gz",
		acctPath, region, at.Format("2006/01/02"), acct, region, at.Format("20060102T1504Z"), unique)
}

// poll runs one Poll and returns the sorted eventIDs read.
func poll(t *testing.T, s *Source) []string {
	t.Helper()
	var sk sink
	if err := s.Poll(context.Background(), &sk); err != nil {
		t.Fatalf("Poll() = %v", err)
	}
	got := sk.IDs()
	slices.Sort(got)
	return got
}

// TestListingOutOfOrder: a file whose name sorts before one already read, delivered later,
// is read (CLOUD-LOGS.md F1: no last-key marker), and nothing is read twice.
func TestListingOutOfOrder(t *testing.T) {
	e := newEnv(t)
	at := time.Date(2026, 11, 25, 18, 20, 0, 0, time.UTC)
	s := e.source(e.config(false))
	steps := []struct {
		put  map[string][]string // key → eventIDs
		want []string
	}{
		{put: map[string][]string{key("us-east-1", at, "zzz"): ids("z", 2)}, want: ids("z", 2)},
		{put: map[string][]string{key("us-east-1", at, "aaa"): ids("a", 2)}, want: ids("a", 2)},
		{put: nil, want: nil},
		{put: map[string][]string{key("us-east-1", at.Add(-time.Minute), "mmm"): ids("m", 1)}, want: ids("m", 1)},
	}
	for i, st := range steps {
		for k, recs := range st.put {
			e.put(k, ctFile(t, recs...))
		}
		if diff := cmp.Diff(st.want, poll(t, s)); diff != "" {
			t.Errorf("poll %d read (-want +got):\n%s", i+1, diff)
		}
	}
}

// TestListingRevisit: late files in day folders within revisit are read; day folders older
// than revisit leave the checkpoint after one last listing.
func TestListingRevisit(t *testing.T) {
	e := newEnv(t)
	day := func(d int) time.Time { return time.Date(2026, 11, d, 12, 0, 0, 0, time.UTC) }
	s := e.source(e.config(false)) // start_at -24h, revisit 48h; the clock is 2026-11-25 18:30
	const ckey = "source/aws_s3/trail/123456789012/CloudTrail/us-east-1"
	steps := []struct {
		name       string
		advance    time.Duration
		put        map[string][]string
		want       []string
		wantOldest string
	}{
		{name: "start_at's day and today", put: map[string][]string{
			key("us-east-1", day(23), "old"): ids("old", 1), // before start_at: never read
			key("us-east-1", day(24), "x"):   ids("x24", 1),
			key("us-east-1", day(25), "x"):   ids("x25", 1),
		}, want: append(ids("x24", 1), ids("x25", 1)...), wantOldest: "2026/11/24"},
		{name: "late file a day later", advance: 24 * time.Hour, put: map[string][]string{
			key("us-east-1", day(24), "late"): ids("late24", 1),
			key("us-east-1", day(26), "x"):    ids("x26", 1),
		}, want: append(ids("late24", 1), ids("x26", 1)...), wantOldest: "2026/11/24"},
		{name: "last listing of the 24th", advance: 24 * time.Hour, put: map[string][]string{
			key("us-east-1", day(24), "later"): ids("later24", 1),
			key("us-east-1", day(25), "late"):  ids("late25", 1),
		}, want: append(ids("late25", 1), ids("later24", 1)...), wantOldest: "2026/11/25"},
		{name: "the 24th is no longer listed", put: map[string][]string{
			key("us-east-1", day(24), "toolate"): ids("toolate24", 1),
		}, want: nil, wantOldest: "2026/11/25"},
	}
	for _, st := range steps {
		e.clock.Advance(st.advance)
		for k, recs := range st.put {
			e.put(k, ctFile(t, recs...))
		}
		if diff := cmp.Diff(st.want, poll(t, s)); diff != "" {
			t.Errorf("%s: read (-want +got):\n%s", st.name, diff)
		}
		raw, ok, _ := e.cp.Checkpoint(context.Background(), ckey)
		var cp regionState
		if !ok || json.Unmarshal(raw, &cp) != nil || cp.Oldest != st.wantOldest {
			t.Errorf("%s: checkpoint %s = %s, want oldest %s", st.name, ckey, raw, st.wantOldest)
		}
	}
	if got := testutil.ToFloat64(s.d.Metrics.Lag.WithLabelValues("trail")); got <= 0 {
		t.Errorf("lag = %v, want > 0", got)
	}
}

// TestListingRestart: a poll failing in the middle (sink down) is resumed by a new source
// over the same checkpoints; every record is read, and objects accepted before the failure
// are not read again.
func TestListingRestart(t *testing.T) {
	e := newEnv(t)
	at := time.Date(2026, 11, 25, 5, 0, 0, 0, time.UTC)
	var want []string
	for i := range 12 {
		k := key("us-east-1", at.Add(-time.Duration(i)*time.Hour), fmt.Sprintf("u%02d", i)) // over two day folders
		recs := ids(fmt.Sprintf("o%02d", i), 3)
		want = append(want, recs...)
		e.put(k, ctFile(t, recs...))
	}
	slices.Sort(want)
	c := e.config(false)
	c.MaxBatch = 2
	first := &sink{fail: func(n int, _ *source.Batch) error {
		if n == 9 { // the 5th object's first batch (2 batches per object)
			return errors.New("database is locked")
		}
		return nil
	}}
	if err := e.source(c).Poll(context.Background(), first); err == nil {
		t.Fatal("first Poll() = nil, want the sink's error")
	}
	s := e.source(c) // a restarted picket
	s.pageSize = 2   // and paginated listings
	second := &sink{}
	if err := s.Poll(context.Background(), second); err != nil {
		t.Fatalf("Poll() after restart = %v", err)
	}
	got := append(first.IDs(), second.IDs()...)
	slices.Sort(got)
	if diff := cmp.Diff(want, slices.Compact(got)); diff != "" {
		t.Errorf("records over both runs (-want +got):\n%s", diff)
	}
	for origin, n := range first.Origins() {
		if n == 3 && second.Origins()[origin] > 0 {
			t.Errorf("%s was accepted before the failure and read again after the restart", origin)
		}
	}
	if len(got)-len(want) > 2 {
		t.Errorf("%d records read twice, want at most the 2 of the batch in flight", len(got)-len(want))
	}
}

// TestListingDiscovery: organization and account folders are found, filtered by accounts
// and regions_in_bucket; digest folders are not read.
func TestListingDiscovery(t *testing.T) {
	at := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	objects := map[string][]string{
		keyIn("o-exampleorg1/111111111111", "us-east-1", at, "a"):                                              ids("org-111-use1", 1),
		keyIn("222222222222", "eu-west-1", at, "b"):                                                            ids("222-euw1", 1),
		keyIn("222222222222", "us-east-1", at, "c"):                                                            ids("222-use1", 1),
		strings.Replace(keyIn("222222222222", "us-east-1", at, "d"), "/CloudTrail/", "/CloudTrail-Digest/", 1): ids("digest", 1),
		"AWSLogs/not-an-account/CloudTrail/us-east-1/2026/11/25/x.json.gz":                                     ids("junk", 1),
	}
	tests := []struct {
		name    string
		accts   []string
		regions []string
		want    []string
	}{
		{name: "everything", want: []string{"222-euw1-0000", "222-use1-0000", "org-111-use1-0000"}},
		{name: "one account", accts: []string{"222222222222"}, want: []string{"222-euw1-0000", "222-use1-0000"}},
		{name: "one region", regions: []string{"us-east-1"}, want: []string{"222-use1-0000", "org-111-use1-0000"}},
		{name: "org account and region", accts: []string{"111111111111"}, regions: []string{"eu-west-1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			for k, recs := range objects {
				e.put(k, ctFile(t, recs...))
			}
			c := e.config(false)
			c.Accounts, c.RegionsInBucket = tt.accts, tt.regions
			if diff := cmp.Diff(tt.want, poll(t, e.source(c))); diff != "" {
				t.Errorf("read (-want +got):\n%s", diff)
			}
		})
	}
}

// TestListingBrokenObject: a corrupt object is read up to the break, counted as skipped and
// not read again; the objects after it are read.
func TestListingBrokenObject(t *testing.T) {
	e := newEnv(t)
	at := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	whole := ctFile(t, ids("w", 2)...)
	e.put(key("us-east-1", at, "a-broken"), whole[:len(whole)-12]) // truncated gzip
	e.put(key("us-east-1", at, "b-fine"), ctFile(t, ids("f", 2)...))
	s := e.source(e.config(false))
	var sk sink
	if err := s.Poll(context.Background(), &sk); err != nil {
		t.Fatalf("Poll() = %v", err)
	}
	if got := sk.IDs(); !slices.Contains(got, "f-0001") {
		t.Errorf("read %v, want the fine object's records", got)
	}
	if sk.skipped["broken_object"] != 1 {
		t.Errorf("skipped %v, want broken_object 1", sk.skipped)
	}
	if again := poll(t, s); len(again) != 0 {
		t.Errorf("second poll read %v, want nothing", again)
	}
}
