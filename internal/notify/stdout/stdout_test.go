package stdout

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"picket/internal/notify"
	"picket/internal/notify/notifytest"
	"picket/internal/notify/webhook"
)

func TestNotify(t *testing.T) {
	var buf bytes.Buffer
	n, err := New("dev", DefaultConfig(), notify.Deps{}, WithWriter(&buf))
	if err != nil {
		t.Fatal(err)
	}
	notifs := []*notify.Notification{notifytest.Notification(), notifytest.Resolved()}
	var want strings.Builder
	for _, nt := range notifs {
		if _, err := n.Notify(context.Background(), nt); err != nil {
			t.Fatalf("Notify() = %v", err)
		}
		b, _ := webhook.Body(nt)
		want.Write(append(b, '\n'))
	}
	if diff := cmp.Diff(want.String(), buf.String()); diff != "" {
		t.Errorf("output (-want +got):\n%s", diff)
	}
}

type lockedBuffer struct {
	mu sync.Mutex
	bytes.Buffer
}

func TestConcurrentLinesDoNotInterleave(t *testing.T) {
	var buf lockedBuffer
	n, err := New("dev", DefaultConfig(), notify.Deps{}, WithWriter(&buf.Buffer))
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for range 20 {
		wg.Go(func() {
			if _, err := n.Notify(context.Background(), notifytest.Notification()); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	b, _ := webhook.Body(notifytest.Notification())
	for i, line := range strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n") {
		if line != string(b) {
			t.Fatalf("line %d = %.80q…, want the webhook body", i, line)
		}
	}
}

type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, errors.New("broken pipe") }

func TestNotifyErrors(t *testing.T) {
	n, err := New("dev", DefaultConfig(), notify.Deps{}, WithWriter(failWriter{}))
	if err != nil {
		t.Fatal(err)
	}
	if retry, err := n.Notify(context.Background(), notifytest.Notification()); err == nil || retry {
		t.Errorf("Notify() to a failing writer = %v, %v; want false and an error", retry, err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if retry, err := n.Notify(ctx, notifytest.Notification()); !errors.Is(err, context.Canceled) || !retry {
		t.Errorf("Notify(cancelled) = %v, %v; want true, context.Canceled", retry, err)
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		stream  string
		wantErr bool
	}{{"stdout", false}, {"stderr", false}, {"", true}, {"file", true}}
	for _, tt := range tests {
		if err := (Config{Stream: tt.stream}).Validate(); (err != nil) != tt.wantErr {
			t.Errorf("Validate(stream %q) = %v, want error %v", tt.stream, err, tt.wantErr)
		}
	}
}

func TestSample(t *testing.T) {
	c := DefaultConfig()
	notifytest.DecodeStrict(t, Sample(), &c, nil)
	if err := c.Validate(); err != nil {
		t.Errorf("sample.yaml: Validate() = %v", err)
	}
}

func TestTextFormat(t *testing.T) {
	var out bytes.Buffer
	c := DefaultConfig()
	c.Format = "text"
	n, err := New("dev", c, notify.Deps{Stdout: &out})
	if err != nil {
		t.Fatal(err)
	}
	nt := notifytest.Notification()
	nt.Alerts[0].RuleTitle = "evil\ntitle\x1b[31m"
	if _, err := n.Notify(context.Background(), nt); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	if len(lines) != len(nt.Alerts) {
		t.Fatalf("%d lines for %d alerts:\n%s", len(lines), len(nt.Alerts), out.String())
	}
	for _, want := range []string{"FIRING", `evil\ntitle\x1b[31m`, "detection"} {
		if !strings.Contains(lines[0], want) {
			t.Errorf("line %q lacks %q", lines[0], want)
		}
	}
	if !strings.Contains(lines[1], nt.Alerts[1].RuleTitle) {
		t.Errorf("second line %q lacks %q", lines[1], nt.Alerts[1].RuleTitle)
	}
}
