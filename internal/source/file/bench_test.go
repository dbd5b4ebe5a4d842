package file

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"picket/internal/source"
)

type discardSink struct{ n int }

func (d *discardSink) Process(_ context.Context, _ string, b *source.Batch) error {
	d.n += len(b.Records)
	return nil
}

// BenchmarkPoll reads a 100,000-line JSONL file from its start; records/s is the figure.
func BenchmarkPoll(b *testing.B) {
	dir := b.TempDir()
	var sb strings.Builder
	const lines = 100_000
	for i := range lines {
		fmt.Fprintf(&sb, `{"eventTime":"2026-11-25T10:00:00Z","eventName":"GetObject","n":%d,"user":"%s"}`+"\n", i, strings.Repeat("u", 80))
	}
	if err := os.WriteFile(filepath.Join(dir, "app.log"), []byte(sb.String()), 0o600); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(sb.Len()))
	b.ResetTimer()
	for range b.N {
		c := DefaultConfig()
		c.Paths, c.Format = []string{"."}, "jsonl"
		s, err := New("bench", c, testDeps(dir, newMemCheckpoints()))
		if err != nil {
			b.Fatal(err)
		}
		sink := &discardSink{}
		if err := s.Poll(context.Background(), sink); err != nil {
			b.Fatal(err)
		}
		if sink.n != lines {
			b.Fatalf("read %d records, want %d", sink.n, lines)
		}
	}
	b.ReportMetric(float64(lines*b.N)/b.Elapsed().Seconds(), "records/s")
}
