package storetest

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"picket/internal/store"
)

func testCheckpoints(t *testing.T, s store.Store) {
	ctx := t.Context()
	if c, ok, err := s.Checkpoint(ctx, "missing"); err != nil || ok || c != nil {
		t.Fatalf("Checkpoint(missing) = %q, %v, %v; want nil, false, nil", c, ok, err)
	}
	steps := []struct {
		key    string
		cursor []byte
		want   []byte
	}{
		{"cloudwatch/prod/group-a", []byte(`{"t":1}`), []byte(`{"t":1}`)},
		{"cloudwatch/prod/group-a", []byte(`{"t":2,"token":"x"}`), []byte(`{"t":2,"token":"x"}`)}, // overwrite
		{"file:/var/log/a.log", []byte{0, 1, 2, 0xff, 0}, []byte{0, 1, 2, 0xff, 0}},               // binary
		{"empty", []byte{}, []byte{}},
		{"nil", nil, []byte{}},
		{"", []byte("empty key"), []byte("empty key")},
		{"ünïcødé/키", []byte("u"), []byte("u")},
		{"file:/var/log/\xff\xfe-not-utf8\x00nul", []byte("raw"), []byte("raw")}, // keys may be any bytes
		{"file:/var/log/\xff\xfe-not-utf8\x00nul2", []byte("raw2"), []byte("raw2")},
	}
	for _, st := range steps {
		mustNot(t, "SetCheckpoint", s.SetCheckpoint(ctx, st.key, st.cursor))
		got, ok, err := s.Checkpoint(ctx, st.key)
		if err != nil || !ok {
			t.Fatalf("Checkpoint(%q) = _, %v, %v; want ok", st.key, ok, err)
		}
		if got == nil {
			t.Errorf("Checkpoint(%q) = nil, want non-nil", st.key)
		}
		if diff := cmp.Diff(st.want, got); diff != "" {
			t.Errorf("Checkpoint(%q) mismatch (-want +got):\n%s", st.key, diff)
		}
	}
	// The first key still holds its overwritten value; keys are independent.
	got, _, err := s.Checkpoint(ctx, "cloudwatch/prod/group-a")
	mustNot(t, "Checkpoint", err)
	if string(got) != `{"t":2,"token":"x"}` {
		t.Errorf("Checkpoint(group-a) = %q, want the overwritten cursor", got)
	}
}

// testCheckpointCopies checks that neither side keeps the caller's slice.
func testCheckpointCopies(t *testing.T, s store.Store) {
	ctx := t.Context()
	in := []byte("abc")
	mustNot(t, "SetCheckpoint", s.SetCheckpoint(ctx, "k", in))
	in[0] = 'X'
	got, _, err := s.Checkpoint(ctx, "k")
	mustNot(t, "Checkpoint", err)
	if string(got) != "abc" {
		t.Fatalf("Checkpoint(k) = %q after the caller changed its slice, want \"abc\"", got)
	}
	got[0] = 'Y'
	again, _, err := s.Checkpoint(ctx, "k")
	mustNot(t, "Checkpoint", err)
	if string(again) != "abc" {
		t.Errorf("Checkpoint(k) = %q after the caller changed the returned slice, want \"abc\"", again)
	}
}

func testPruneCheckpoints(t *testing.T, s store.Store) {
	ctx := t.Context()
	p, ok := s.(store.CheckpointPruner)
	if !ok {
		t.Fatalf("%T does not implement store.CheckpointPruner", s)
	}
	for _, k := range []string{"notify/slack/r/sent/1", "notify/slack/r/sent/2", "notify/slack/r/thread/x", "source/file/f/1"} {
		mustNot(t, "SetCheckpoint", s.SetCheckpoint(ctx, k, []byte("v")))
	}
	if n, err := p.PruneCheckpoints(ctx, "notify/slack/%/sent/%", time.Now().Add(-time.Hour)); err != nil || n != 0 {
		t.Errorf("pruning nothing old enough: %d, %v", n, err)
	}
	n, err := p.PruneCheckpoints(ctx, "notify/slack/%/sent/%", time.Now().Add(time.Hour))
	if err != nil || n != 2 {
		t.Fatalf("PruneCheckpoints = %d, %v; want 2", n, err)
	}
	for k, want := range map[string]bool{"notify/slack/r/sent/1": false, "notify/slack/r/thread/x": true, "source/file/f/1": true} {
		if _, ok, err := s.Checkpoint(ctx, k); err != nil || ok != want {
			t.Errorf("%s: present %v (%v), want %v", k, ok, err, want)
		}
	}
}
