package file

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"go.yaml.in/yaml/v3"

	"picket/internal/source"
)

func text(c *Config) { c.Format = "text" }

func TestTailing(t *testing.T) {
	// Each step appends to one file and polls; want is what that poll reads.
	tests := []struct {
		name   string
		format string
		steps  []string
		want   [][]string
	}{
		{
			name:   "text lines and a partial line",
			format: "text",
			steps:  []string{"a\nb\npart", "ial\nc\n", "", "d"},
			want:   [][]string{{"a", "b"}, {"partial", "c"}, nil, nil},
		},
		{
			name:   "jsonl with a value being written",
			format: "auto",
			steps:  []string{`{"n":1}` + "\n" + `{"n":`, `2}` + "\n", `{"n":3}{"n":4}` + "\n"},
			want:   [][]string{{`{"n":1}`}, {`{"n":2}`}, {`{"n":3}`, `{"n":4}`}},
		},
		{
			name:   "blank lines only",
			format: "auto",
			steps:  []string{"\n\n", `{"n":1}` + "\n"},
			want:   [][]string{nil, {`{"n":1}`}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			s := newTestSource(t, dir, newMemCheckpoints(), func(c *Config) { c.Format = tt.format })
			sink := &recSink{}
			for i, step := range tt.steps {
				appendFile(t, filepath.Join(dir, "app.log"), step)
				poll(t, s, sink)
				if diff := cmp.Diff(tt.want[i], sink.take()); diff != "" {
					t.Errorf("poll %d: records (-want +got):\n%s", i+1, diff)
				}
			}
		})
	}
}

func TestLinesAndIDs(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "app.log")
	writeFile(t, path, "a\n\nb\n")
	s := newTestSource(t, dir, newMemCheckpoints(), text)
	sink := &recSink{}
	poll(t, s, sink)
	appendFile(t, path, "c\n")
	poll(t, s, sink)
	var lines []int
	ids := map[string]bool{}
	for _, r := range sink.recs {
		lines = append(lines, r.Line)
		ids[r.ID] = true
	}
	if diff := cmp.Diff([]int{1, 3, 4}, lines); diff != "" {
		t.Errorf("record lines (-want +got):\n%s", diff)
	}
	if len(ids) != 3 {
		t.Errorf("got %d distinct ids for 3 records: %v", len(ids), sink.recs)
	}
}

func TestRenameRotation(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "app.log")
	writeFile(t, path, "1\n2\n")
	s := newTestSource(t, dir, newMemCheckpoints(), text)
	sink := &recSink{}
	poll(t, s, sink)
	appendFile(t, path, "3\n")
	if err := os.Rename(path, path+".1"); err != nil {
		t.Fatal(err)
	}
	writeFile(t, path, "4\n")
	setMtime(t, path+".1", testNow.Add(-time.Minute))
	setMtime(t, path, testNow)
	poll(t, s, sink)
	want := []got{{Data: "1", Line: 1, Base: "app.log"}, {Data: "2", Line: 2, Base: "app.log"},
		{Data: "3", Line: 3, Base: "app.log.1"}, {Data: "4", Line: 1, Base: "app.log"}}
	if diff := cmp.Diff(want, sink.recs, cmp.FilterPath(func(p cmp.Path) bool { return p.Last().String() == ".ID" }, cmp.Ignore())); diff != "" {
		t.Errorf("records (-want +got):\n%s", diff)
	}
	assertUniqueIDs(t, sink.recs)
	// The rotated file is deleted: it is forgotten, the new one followed on.
	if err := os.Remove(path + ".1"); err != nil {
		t.Fatal(err)
	}
	appendFile(t, path, "5\n")
	poll(t, s, sink)
	if diff := cmp.Diff([]string{"1", "2", "3", "4", "5"}, sink.take()); diff != "" {
		t.Errorf("after deleting the rotated file (-want +got):\n%s", diff)
	}
	if len(s.files) != 1 {
		t.Errorf("the source still tracks %d files, want 1", len(s.files))
	}
}

func TestCopyTruncate(t *testing.T) {
	tests := []struct {
		name  string
		after string // written after truncation
		want  []string
	}{
		{"shorter content", "x\n", []string{"x"}},
		{"longer content", "a much longer first line\nand more\n", []string{"a much longer first line", "and more"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "app.log")
			writeFile(t, path, "first\nsecond\n")
			s := newTestSource(t, dir, newMemCheckpoints(), text)
			sink := &recSink{}
			poll(t, s, sink)
			before := sink.recs
			sink.recs = nil
			if err := os.Truncate(path, 0); err != nil {
				t.Fatal(err)
			}
			appendFile(t, path, tt.after)
			poll(t, s, sink)
			if diff := cmp.Diff(tt.want, dataOf(sink.recs)); diff != "" {
				t.Errorf("after copytruncate (-want +got):\n%s", diff)
			}
			assertUniqueIDs(t, append(before, sink.recs...))
		})
	}
}

func TestInodeReuse(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "app.log")
	writeFile(t, path, "old 1\nold 2\n")
	cp := newMemCheckpoints()
	s := newTestSource(t, dir, cp, text)
	s.identity = func(*os.File, os.FileInfo) string { return "1-42" } // every file is inode 42
	sink := &recSink{}
	poll(t, s, sink)
	// Another file takes the inode while the source is down: a restart finds the old
	// checkpoint under the same identity, with a longer file behind it.
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(dir, "other.log"), "new content, longer than before\nnew 2\n")
	s = newTestSource(t, dir, cp, text)
	s.identity = func(*os.File, os.FileInfo) string { return "1-42" }
	poll(t, s, sink)
	want := []string{"old 1", "old 2", "new content, longer than before", "new 2"}
	if diff := cmp.Diff(want, dataOf(sink.recs)); diff != "" {
		t.Errorf("records (-want +got):\n%s", diff)
	}
	assertUniqueIDs(t, sink.recs)
}

func TestRestartNoLossNoRepeat(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "app.log")
	cp := newMemCheckpoints()
	sink := &recSink{}
	var want []string
	n := 0
	for round := range 5 {
		s := newTestSource(t, dir, cp, func(c *Config) { c.Format = "jsonl"; c.MaxBatch = 3 })
		for range 7 {
			n++
			appendFile(t, path, fmt.Sprintf(`{"n":%d}`+"\n", n))
			want = append(want, fmt.Sprintf(`{"n":%d}`, n))
		}
		appendFile(t, path, `{"n":`) // a partial line at every restart
		poll(t, s, sink)
		appendFile(t, path, fmt.Sprintf(`"partial %d"}`+"\n", round))
		want = append(want, fmt.Sprintf(`{"n":"partial %d"}`, round))
	}
	poll(t, newTestSource(t, dir, cp, func(c *Config) { c.Format = "jsonl" }), sink)
	if diff := cmp.Diff(want, dataOf(sink.recs)); diff != "" {
		t.Errorf("records over restarts (-want +got):\n%s", diff)
	}
	assertUniqueIDs(t, sink.recs)
}

func TestIDsStableAcrossRestartAndRename(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "app.log")
	writeFile(t, path, "a\nb\nc\n")
	once := &recSink{}
	poll(t, newTestSource(t, dir, newMemCheckpoints(), text), once)

	cp := newMemCheckpoints()
	split := &recSink{}
	poll(t, newTestSource(t, dir, cp, func(c *Config) { c.Format = "text"; c.Paths = []string{"app.log"} }), split)
	// Read again from a checkpoint taken before the last record, under another name.
	for k, v := range cp.m {
		if c, err := decodeCursor(v); err == nil && c.Path != "" {
			c.Offset, c.Lines = 4, 2
			cp.m[k] = c.encode()
		}
	}
	split.recs = split.recs[:2]
	if err := os.Rename(path, filepath.Join(dir, "app.log.1")); err != nil {
		t.Fatal(err)
	}
	poll(t, newTestSource(t, dir, cp, text), split)
	if diff := cmp.Diff(once.recs, split.recs, cmp.FilterPath(func(p cmp.Path) bool { return p.Last().String() == ".Base" }, cmp.Ignore())); diff != "" {
		t.Errorf("records read in two steps differ from one read (-once +split):\n%s", diff)
	}
}

func TestSinkFailureKeepsCheckpoint(t *testing.T) {
	for _, format := range []string{"jsonl", "json", "gzip"} {
		t.Run(format, func(t *testing.T) {
			dir := t.TempDir()
			var lines []string
			var buf bytes.Buffer
			for i := range 10 {
				lines = append(lines, fmt.Sprintf(`{"n":%d}`, i))
				buf.WriteString(lines[i] + "\n")
			}
			name, cfgFormat := "app.log", format
			switch format {
			case "json": // pretty-printed values: read whole
				buf.Reset()
				for i := range 10 {
					fmt.Fprintf(&buf, "{\n  \"n\": %d\n}\n", i)
					lines[i] = fmt.Sprintf("{\n  \"n\": %d\n}", i)
				}
			case "gzip":
				var z bytes.Buffer
				zw := gzip.NewWriter(&z)
				zw.Write(buf.Bytes())
				zw.Close()
				buf, name, cfgFormat = z, "app.log.gz", "auto"
			}
			writeFile(t, filepath.Join(dir, name), buf.String())
			cp := newMemCheckpoints()
			sink := &recSink{failAt: 2}
			s := newTestSource(t, dir, cp, func(c *Config) { c.Format = cfgFormat; c.MaxBatch = 4 })
			if err := s.Poll(context.Background(), sink); !errors.Is(err, errSinkDown) {
				t.Fatalf("Poll() with a failing sink = %v, want %v", err, errSinkDown)
			}
			if diff := cmp.Diff(lines[:4], dataOf(sink.recs)); diff != "" {
				t.Errorf("records accepted before the failure (-want +got):\n%s", diff)
			}
			// A restart resumes after the accepted batch.
			poll(t, newTestSource(t, dir, cp, func(c *Config) { c.Format = cfgFormat; c.MaxBatch = 4 }), sink)
			if diff := cmp.Diff(lines, dataOf(sink.recs)); diff != "" {
				t.Errorf("records after recovery (-want +got):\n%s", diff)
			}
			assertUniqueIDs(t, sink.recs)
		})
	}
}

func TestWholeFiles(t *testing.T) {
	dir := t.TempDir()
	trail := `{"Records":[{"eventID":"1"},{"eventID":"2"}]}`
	writeFile(t, filepath.Join(dir, "trail.json"), trail)
	var z bytes.Buffer
	zw := gzip.NewWriter(&z)
	zw.Write([]byte("{\"a\":1}\nnot json\n{\"a\":2}\n"))
	zw.Close()
	writeFile(t, filepath.Join(dir, "x.jsonl.gz"), z.String())
	setMtime(t, filepath.Join(dir, "trail.json"), testNow.Add(-time.Hour))
	cp := newMemCheckpoints()
	sink := &recSink{}
	poll(t, newTestSource(t, dir, cp, nil), sink)
	want := []string{`{"eventID":"1"}`, `{"eventID":"2"}`, `{"a":1}`, `{"a":2}`}
	if diff := cmp.Diff(want, sink.take()); diff != "" {
		t.Errorf("records (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(map[string]int{"not_json": 1}, sink.skipped); diff != "" {
		t.Errorf("skipped (-want +got):\n%s", diff)
	}
	poll(t, newTestSource(t, dir, cp, nil), sink)
	if got := sink.take(); len(got) != 0 {
		t.Errorf("second poll after a restart read %q, want nothing", got)
	}
}

func TestWholeFileBeingWritten(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "events.json")
	writeFile(t, path, "{\n \"n\": 1\n}\n{\n \"n\":")
	s := newTestSource(t, dir, newMemCheckpoints(), func(c *Config) { c.Format = "json" })
	sink := &recSink{}
	poll(t, s, sink)
	appendFile(t, path, " 2\n}\n")
	poll(t, s, sink)
	if diff := cmp.Diff([]string{"{\n \"n\": 1\n}", "{\n \"n\": 2\n}"}, sink.take()); diff != "" {
		t.Errorf("records (-want +got):\n%s", diff)
	}
	if len(sink.skipped) != 0 {
		t.Errorf("skipped = %v, want nothing: the value was only incomplete", sink.skipped)
	}
}

func TestStartAtEnd(t *testing.T) {
	dir := t.TempDir()
	old := filepath.Join(dir, "old.log")
	writeFile(t, old, "x\ny\npart")
	cp := newMemCheckpoints()
	edit := func(c *Config) { c.Format = "text"; c.StartAt = StartEnd }
	sink := &recSink{}
	poll(t, newTestSource(t, dir, cp, edit), sink)
	appendFile(t, old, "ial\nz\n")
	writeFile(t, filepath.Join(dir, "new.log"), "n1\n")
	setMtime(t, old, testNow)
	setMtime(t, filepath.Join(dir, "new.log"), testNow.Add(time.Hour))
	s := newTestSource(t, dir, cp, edit) // a restart: start_at applies to the first poll only
	poll(t, s, sink)
	want := []got{{Data: "partial", Line: 3, Base: "old.log"}, {Data: "z", Line: 4, Base: "old.log"}, {Data: "n1", Line: 1, Base: "new.log"}}
	if diff := cmp.Diff(want, sink.recs, cmp.FilterPath(func(p cmp.Path) bool { return p.Last().String() == ".ID" }, cmp.Ignore())); diff != "" {
		t.Errorf("records (-want +got):\n%s", diff)
	}
}

func TestSkippedRecords(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "a.log"), `{"ok":1}`+"\nnot json\n"+`{"big":"`+strings.Repeat("x", 100)+`"}`+"\n"+`{"ok":2}`+"\n")
	s := newTestSource(t, dir, newMemCheckpoints(), func(c *Config) { c.Format = "jsonl"; c.MaxRecordSize = 50 })
	sink := &recSink{}
	poll(t, s, sink)
	if diff := cmp.Diff([]string{`{"ok":1}`, `{"ok":2}`}, sink.take()); diff != "" {
		t.Errorf("records (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(map[string]int{"not_json": 1, "oversized": 1}, sink.skipped); diff != "" {
		t.Errorf("skipped (-want +got):\n%s", diff)
	}
	if got := testutil.ToFloat64(s.d.Metrics.Skipped.WithLabelValues("test", "not_json")); got != 1 {
		t.Errorf("skipped metric {not_json} = %v, want 1", got)
	}
}

func TestListing(t *testing.T) {
	dir := t.TempDir()
	for _, p := range []string{"a.log", "b.tmp", "sub/c.log", "sub/deep/d.log", "other/e.log", "other/f.log"} {
		os.MkdirAll(filepath.Dir(filepath.Join(dir, p)), 0o700)
		writeFile(t, filepath.Join(dir, p), "line "+p+"\n")
	}
	tests := []struct {
		name    string
		paths   []string
		exclude []string
		want    []string
	}{
		{"directory is recursive", []string{"."}, []string{"*.tmp"}, []string{"a.log", "other/e.log", "other/f.log", "sub/c.log", "sub/deep/d.log"}},
		{"glob", []string{"*/*.log"}, nil, []string{"other/e.log", "other/f.log", "sub/c.log"}},
		{"glob matching a directory", []string{"su*"}, nil, []string{"sub/c.log", "sub/deep/d.log"}},
		{"exclude by path", []string{"."}, []string{"other/*", "*.tmp"}, []string{"a.log", "sub/c.log", "sub/deep/d.log"}},
		{"missing file", []string{"nope.log", "a.log"}, nil, []string{"a.log"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newTestSource(t, dir, newMemCheckpoints(), func(c *Config) { c.Paths, c.Exclude = tt.paths, tt.exclude })
			paths, err := s.list()
			if err != nil {
				t.Fatalf("list() = %v", err)
			}
			var rel []string
			for _, p := range paths {
				r, _ := filepath.Rel(dir, p)
				rel = append(rel, filepath.ToSlash(r))
			}
			if diff := cmp.Diff(tt.want, rel); diff != "" {
				t.Errorf("list() (-want +got):\n%s", diff)
			}
		})
	}
}

func TestLagAndStatus(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "app.log")
	writeFile(t, path, "a\nb\nc\n")
	setMtime(t, path, testNow.Add(-90*time.Second))
	s := newTestSource(t, dir, newMemCheckpoints(), func(c *Config) { c.Format = "text"; c.MaxBatch = 1 })
	if err := s.Poll(context.Background(), &recSink{failAt: 2}); err == nil {
		t.Fatal("Poll() with a failing sink = nil, want an error")
	}
	if got := testutil.ToFloat64(s.d.Metrics.Lag.WithLabelValues("test")); got != 90 {
		t.Errorf("lag after a failed poll = %v, want 90", got)
	}
	poll(t, s, &recSink{})
	if got := testutil.ToFloat64(s.d.Metrics.Lag.WithLabelValues("test")); got != 0 {
		t.Errorf("lag once caught up = %v, want 0", got)
	}
	st := s.d.Status.Statuses()
	if len(st) != 1 || st[0].Records != 3 || st[0].Checkpoint != path+" @ 6" || st[0].Type != Type {
		t.Errorf("Statuses() = %+v, want one file source with 3 records at %s @ 6", st, path)
	}
}

func TestConfigValidate(t *testing.T) {
	tests := []struct {
		name string
		edit func(*Config)
		want []string // substrings of the error; none means valid
	}{
		{"default with a path", func(c *Config) { c.Paths = []string{"x"} }, nil},
		{"no path", func(*Config) {}, []string{"paths: at least one"}},
		{"bad values", func(c *Config) {
			c.Paths = []string{"[x"}
			c.Exclude = []string{"[y"}
			c.Format = "xml"
			c.StartAt = "middle"
			c.MaxBatch = -1
			c.MaxRecordSize = -1
			c.LogSource = &LogSource{}
		}, []string{"paths:", "exclude:", "format:", "start_at:", "max_batch:", "max_record_size:", "logsource:"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := DefaultConfig()
			tt.edit(&c)
			err := c.Validate()
			if (err != nil) != (len(tt.want) > 0) {
				t.Fatalf("Validate() = %v, want errors %q", err, tt.want)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("Validate() = %v, want it to mention %q", err, w)
				}
			}
		})
	}
}

func TestSample(t *testing.T) {
	c := DefaultConfig()
	dec := yaml.NewDecoder(bytes.NewReader(Sample()))
	dec.KnownFields(true)
	if err := dec.Decode(&c); err != nil {
		t.Fatalf("decoding sample.yaml strictly: %v", err)
	}
	if err := c.Validate(); err != nil {
		t.Errorf("sample.yaml: Validate() = %v", err)
	}
	if len(c.Paths) != 2 || c.LogSource == nil || c.StartAt != StartBeginning {
		t.Errorf("sample.yaml decoded to %+v, want two paths, a logsource, start_at beginning", c)
	}
}

func dataOf(rs []got) []string {
	var out []string
	for _, r := range rs {
		out = append(out, r.Data)
	}
	return out
}

func assertUniqueIDs(t *testing.T, rs []got) {
	t.Helper()
	seen := map[string]string{}
	for _, r := range rs {
		if r.ID == "" {
			t.Errorf("record %q has no id", r.Data)
		}
		if prev, ok := seen[r.ID]; ok {
			t.Errorf("records %q and %q share id %s", prev, r.Data, r.ID)
		}
		seen[r.ID] = r.Data
	}
}

// cancelSink cancels the poll's context while it processes its first batch.
type cancelSink struct {
	recSink
	cancel context.CancelFunc
}

func (s *cancelSink) Process(ctx context.Context, name string, b *source.Batch) error {
	s.cancel()
	return s.recSink.Process(ctx, name, b)
}

func TestCancelAfterBatchInFlight(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "app.log"), "1\n2\n3\n4\n5\n")
	cp := newMemCheckpoints()
	edit := func(c *Config) { c.Format = "text"; c.MaxBatch = 2 }
	ctx, cancel := context.WithCancel(context.Background())
	sink := &cancelSink{cancel: cancel}
	if err := newTestSource(t, dir, cp, edit).Poll(ctx, sink); !errors.Is(err, context.Canceled) {
		t.Fatalf("Poll() cancelled during a batch = %v, want %v", err, context.Canceled)
	}
	if diff := cmp.Diff([]string{"1", "2"}, sink.take()); diff != "" {
		t.Errorf("records before the cancellation (-want +got):\n%s", diff)
	}
	poll(t, newTestSource(t, dir, cp, edit), &sink.recSink)
	if diff := cmp.Diff([]string{"3", "4", "5"}, sink.take()); diff != "" {
		t.Errorf("records after a restart (-want +got):\n%s", diff)
	}
}

// TestWarnsOnceWhenAPathMatchesNothing: a path that matches no file (a typo, a directory not
// created yet) is said once, again after it matched something and stopped, and the source
// reads the file as soon as it appears.
func TestWarnsOnceWhenAPathMatchesNothing(t *testing.T) {
	dir := t.TempDir()
	var logs bytes.Buffer
	d := testDeps(dir, newMemCheckpoints())
	d.Logger = slog.New(slog.NewTextHandler(&logs, nil))
	c := DefaultConfig()
	c.Paths = []string{"logs"}
	s, err := New("test", c, d)
	if err != nil {
		t.Fatal(err)
	}
	sink := &recSink{}
	poll(t, s, sink)
	poll(t, s, sink)
	if n := strings.Count(logs.String(), "path matches no file yet"); n != 1 {
		t.Fatalf("%d warnings after two polls, want 1:\n%s", n, logs.String())
	}
	os.MkdirAll(filepath.Join(dir, "logs"), 0o755)
	os.WriteFile(filepath.Join(dir, "logs", "a.log"), []byte("hello\n"), 0o644)
	poll(t, s, sink)
	if got := sink.take(); len(got) != 1 {
		t.Fatalf("records after the file appeared: %q", got)
	}
	os.Remove(filepath.Join(dir, "logs", "a.log"))
	poll(t, s, sink)
	if n := strings.Count(logs.String(), "path matches no file yet"); n != 2 {
		t.Errorf("%d warnings after the file went away, want 2", n)
	}
}
