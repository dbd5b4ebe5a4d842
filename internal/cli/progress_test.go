package cli

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

func TestProgressDraw(t *testing.T) {
	var b bytes.Buffer
	p := &progress{w: &b, total: 200 << 20, start: time.Now().Add(-2 * time.Second), stop: make(chan struct{})}
	p.addBytes(50 << 20)
	for range 1000 {
		p.addEvent()
	}
	p.addHit()
	p.draw()
	got := b.String()
	for _, want := range []string{"[######..................]", " 25%", "50.0 MiB/200.0 MiB", "1000 events", "1 detections"} {
		if !strings.Contains(got, want) {
			t.Errorf("progress line %q lacks %q", got, want)
		}
	}
	// Not a terminal: no progress at all, and a nil progress accepts every call.
	if q := newProgress(&b, []string{"-"}); q != nil {
		t.Error("progress drawn on a non-terminal")
	}
	var none *progress
	none.addBytes(1)
	none.addEvent()
	none.addHit()
	none.Close()
}
