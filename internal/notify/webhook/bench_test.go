package webhook

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"picket/internal/config"
	"picket/internal/notify"
	"picket/internal/notify/notifytest"
)

// BenchmarkNotify sends notifications (two alerts, three evidence events, signed) to a local
// server, one per op; run with -benchtime=10000x for the 10k figure. It reports notifications/s
// and, through -benchmem, that allocations per notification stay constant.
func BenchmarkNotify(b *testing.B) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.WriteHeader(http.StatusNoContent)
	}))
	defer srv.Close()
	n, err := New("bench", Config{URL: config.Secret(srv.URL + "/hook"), Secret: "bench-secret"},
		notify.Deps{HTTPClient: srv.Client(), Logger: slog.New(slog.DiscardHandler), Clock: notifytest.Now})
	if err != nil {
		b.Fatal(err)
	}
	notif := notifytest.Notification()
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := n.Notify(ctx, notif); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "notifications/s")
}
