package sqlite

import (
	"log/slog"
	"path/filepath"
	"testing"

	"picket/internal/store"
	"picket/internal/store/storetest"
)

// openTest opens a store on a file in a temporary directory (unless o names one) and closes
// it when the test ends.
func openTest(t testing.TB, o Options) *Store {
	t.Helper()
	if o.Path == "" {
		o.Path = filepath.Join(t.TempDir(), "picket.db")
	}
	s, err := Open(t.Context(), o, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatalf("Open(%q) = %v", o.Path, err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close() = %v", err)
		}
	})
	return s
}

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store { return openTest(t, Options{}) })
}

func BenchmarkStore(b *testing.B) {
	b.Run("synchronous=normal", func(b *testing.B) {
		storetest.Benchmark(b, func(b *testing.B) store.Store { return openTest(b, Options{}) })
	})
	b.Run("synchronous=full", func(b *testing.B) {
		storetest.Benchmark(b, func(b *testing.B) store.Store { return openTest(b, Options{Synchronous: "full"}) })
	})
}
