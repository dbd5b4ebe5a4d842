package console

import (
	"context"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"picket/internal/alert"
	"picket/internal/rule"
)

// chromium returns the browser binary: $PICKET_CHROMIUM, $PICKET_TEST_CHROMIUM, or chromium on
// the PATH. Without one the test is skipped, and fails when CI=true so that a missing install
// step cannot pass unnoticed.
func chromium(t *testing.T) string {
	t.Helper()
	for _, env := range []string{"PICKET_CHROMIUM", "PICKET_TEST_CHROMIUM"} {
		if p := os.Getenv(env); p != "" {
			return p
		}
	}
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	const msg = "Chromium not found: install it (apt-get install -y chromium) or set PICKET_CHROMIUM to its path"
	if os.Getenv("CI") == "true" {
		t.Fatal(msg + " (CI=true: browser tests must run)")
	}
	t.Skip(msg)
	return ""
}

// newBrowser starts headless Chromium for the test and returns its context.
func newBrowser(t *testing.T) context.Context {
	t.Helper()
	exe := chromium(t)
	ctx, cancel := context.WithTimeout(context.Background(), 45*time.Second)
	t.Cleanup(cancel)
	actx, acancel := chromedp.NewExecAllocator(ctx,
		chromedp.ExecPath(exe), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.Flag("disable-quic", true), chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()), chromedp.WindowSize(1280, 900),
	)
	t.Cleanup(acancel)
	bctx, bcancel := chromedp.NewContext(actx)
	t.Cleanup(bcancel)
	if err := chromedp.Do(bctx); err != nil {
		t.Fatalf("starting Chromium %s: %v", exe, err)
	}
	return bctx
}

// newTab opens a tab in the browser, closed at the end of the (sub)test.
func newTab(t *testing.T, browser context.Context) context.Context {
	t.Helper()
	ctx, cancel := chromedp.NewContext(browser)
	t.Cleanup(cancel)
	return ctx
}

// screenshotPath is where a screenshot goes: docs/screenshots when
// PICKET_UPDATE_SCREENSHOTS=1, else the test's temporary directory.
func screenshotPath(t *testing.T, name string) string {
	t.Helper()
	dir := t.TempDir()
	if os.Getenv("PICKET_UPDATE_SCREENSHOTS") == "1" {
		dir = filepath.Join("..", "..", "docs", "screenshots")
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	return filepath.Join(dir, name)
}

// shoot saves a full-page PNG screenshot of the tab.
func shoot(t *testing.T, tab context.Context, name string) {
	t.Helper()
	png, err := chromedp.Run(tab, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("screenshot %s: %v", name, err)
	}
	p := screenshotPath(t, name)
	if err := os.WriteFile(p, png, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot: %s", p)
}

// seedDemo adds a few more alerts so that the inbox screenshot shows every level.
func seedDemo(f *fixture) {
	f.seed()
	extra := []struct {
		id, title string
		level     rule.Level
		arn       string
		at        time.Duration
	}{
		{"gd-finding", "GuardDuty finding: credential exfiltration", rule.High, "arn:aws:iam::123456789012:role/ci", -40 * time.Minute},
		{"sg-open", "Security group opened to the internet", rule.Low, "arn:aws:iam::123456789012:user/ops", -3 * time.Hour},
		{"console-nomfa", "Console login without MFA", rule.Informational, "arn:aws:iam::123456789012:user/intern", -5 * time.Hour},
	}
	for i, e := range extra {
		d := detection("ct-stop-logging", "demo-"+e.id, e.at, cloudtrail("Demo", e.arn))
		d.RuleID, d.RuleTitle, d.Level = e.id, e.title, e.level
		f.ingest(d)
		if i == 0 { // several detections for a count above one
			d2 := d
			d2.EventID, d2.EventTime = "demo-2", d.EventTime.Add(5*time.Minute)
			f.ingest(d2)
		}
	}
}

func TestBrowser(t *testing.T) {
	browser := newBrowser(t)

	t.Run("triage", func(t *testing.T) {
		f := newFixture(t, stopLoggingExplain)
		seedDemo(f)
		srv := httptest.NewServer(f.h)
		t.Cleanup(srv.Close)
		a := f.alertOf("ct-stop-logging")
		tab := newTab(t, browser)

		if err := chromedp.Do(tab,
			chromedp.EmulateViewport(1280, 860),
			chromedp.Navigate(srv.URL+"/alerts"),
			chromedp.WaitVisible(chromedp.ID("alerts-table")),
		); err != nil {
			t.Fatalf("opening the inbox: %v", err)
		}
		table, err := chromedp.Run(tab, chromedp.Text(chromedp.ID("alerts-table")))
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(table, "CloudTrail logging stopped") {
			t.Fatalf("the inbox does not list the alert; table text:\n%s", table)
		}
		shoot(t, tab, "inbox.png")

		if err := chromedp.Do(tab,
			chromedp.Click(chromedp.CSS(`a[href="/alerts/`+a.ID+`"]`)),
			chromedp.WaitVisible(chromedp.ID("alert-title")),
		); err != nil {
			t.Fatalf("opening the alert: %v", err)
		}
		title, err := chromedp.Run(tab, chromedp.Text(chromedp.ID("alert-title")))
		if err != nil {
			t.Fatal(err)
		}
		if title != "CloudTrail logging stopped" {
			t.Errorf("alert page title = %q", title)
		}
		shoot(t, tab, "alert.png")

		if err := chromedp.Do(tab,
			chromedp.SendKeys(chromedp.ID("comment"), "on it"),
			chromedp.Click(chromedp.ID("ack")),
			chromedp.WaitVisible(chromedp.CSS("p.flash")),
		); err != nil {
			t.Fatalf("acknowledging: %v", err)
		}
		status, err := chromedp.Run(tab, chromedp.Text(chromedp.ID("alert-status")))
		if err != nil {
			t.Fatal(err)
		}
		if strings.TrimSpace(status) != "acknowledged" {
			t.Errorf("status shown after acknowledging = %q, want acknowledged", status)
		}
		got, err := f.mgr.Get(context.Background(), a.ID)
		if err != nil {
			t.Fatal(err)
		}
		last := got.History[len(got.History)-1]
		if got.Status != alert.StatusAcknowledged || last.Actor != "tester" || last.Comment != "on it" {
			t.Errorf("stored alert: status %s, last change %+v; want acknowledged by tester with the comment", got.Status, last)
		}

		// The inbox on a phone: one column, nothing wider than the screen.
		if err := chromedp.Do(tab,
			chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile, chromedp.EmulateScale(2)),
			chromedp.Navigate(srv.URL+"/alerts?status=active"),
			chromedp.WaitVisible(chromedp.ID("alerts-table")),
		); err != nil {
			t.Fatalf("opening the inbox on a phone: %v", err)
		}
		overflow, err := chromedp.Run(tab, chromedp.Evaluate[bool](`document.documentElement.scrollWidth > window.innerWidth + 1`))
		if err != nil {
			t.Fatal(err)
		}
		if overflow {
			t.Errorf("the inbox is wider than a phone screen")
		}
		shoot(t, tab, "inbox-phone.png")
	})

	t.Run("silences and audit log", func(t *testing.T) {
		f := newFixture(t, nil)
		seedDemo(f)
		srv := httptest.NewServer(f.h)
		t.Cleanup(srv.Close)
		tab := newTab(t, browser)

		// The preview needs only matchers: its button skips the browser's check of the required
		// comment.
		if err := chromedp.Do(tab,
			chromedp.EmulateViewport(1280, 860),
			chromedp.Navigate(srv.URL+"/silences"),
			chromedp.WaitVisible(chromedp.ID("silence-form")),
			chromedp.SendKeys(chromedp.ID("s-matchers"), "rule_id=ct-stop-logging"),
			chromedp.Click(chromedp.ID("silence-preview")),
			chromedp.WaitVisible(chromedp.ID("preview-table")),
		); err != nil {
			t.Fatalf("previewing a silence: %v", err)
		}
		preview, err := chromedp.Run(tab, chromedp.Text(chromedp.ID("preview")))
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(preview, "CloudTrail logging stopped") || strings.Contains(preview, "Root account console login") {
			t.Errorf("the preview does not list exactly the matching alert:\n%s", preview)
		}
		if err := chromedp.Do(tab,
			chromedp.SendKeys(chromedp.ID("s-comment"), "planned maintenance"),
			chromedp.Click(chromedp.ID("silence-create")),
			chromedp.WaitVisible(chromedp.CSS("p.flash")),
		); err != nil {
			t.Fatalf("creating a silence: %v", err)
		}
		ss, err := f.mgr.Silences(context.Background(), true)
		if err != nil || len(ss) != 1 || ss[0].Author != "tester" || ss[0].Comment != "planned maintenance" {
			t.Fatalf("silences after creating one = %+v, %v", ss, err)
		}
		shoot(t, tab, "silences.png")

		for _, page := range []struct{ path, wait string }{{"/silences", "silence-form"}, {"/audit", "audit-table"}} {
			if err := chromedp.Do(tab,
				chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile, chromedp.EmulateScale(2)),
				chromedp.Navigate(srv.URL+page.path),
				chromedp.WaitVisible(chromedp.ID(page.wait)),
			); err != nil {
				t.Fatalf("opening %s on a phone: %v", page.path, err)
			}
			overflow, err := chromedp.Run(tab, chromedp.Evaluate[bool](`document.documentElement.scrollWidth > window.innerWidth + 1`))
			if err != nil {
				t.Fatal(err)
			}
			if overflow {
				t.Errorf("%s is wider than a phone screen", page.path)
			}
		}
		shoot(t, tab, "audit-phone.png")

		// Errors move the keyboard focus to the first field to correct.
		if err := chromedp.Do(tab,
			chromedp.EmulateViewport(1280, 860),
			chromedp.Navigate(srv.URL+"/silences"),
			chromedp.WaitVisible(chromedp.ID("silence-form")),
			chromedp.SendKeys(chromedp.ID("s-matchers"), "colour=red"),
			chromedp.SendKeys(chromedp.ID("s-comment"), "x"),
			chromedp.Click(chromedp.ID("silence-create")),
			chromedp.WaitVisible(chromedp.ID("silence-errors")),
		); err != nil {
			t.Fatalf("sending a bad silence: %v", err)
		}
		focused, err := chromedp.Run(tab, chromedp.Evaluate[string](`document.activeElement.id`))
		if err != nil {
			t.Fatal(err)
		}
		if focused != "s-matchers" {
			t.Errorf("focus after a refused silence is on %q, want s-matchers", focused)
		}
	})

	t.Run("xss", func(t *testing.T) {
		const payload = `<script>document.title="pwned";window.__xss=1</script><img src=x onerror="window.__xss=2">`
		f := newFixture(t, func(context.Context, string, []byte) (*Explanation, error) {
			return &Explanation{Summary: payload, Selections: []ExplainSelection{{Name: "selection", Matched: true,
				Items: []ExplainItem{{Field: "requestParameters.userName", Test: payload, Matched: true, Present: true, Values: []string{payload}}}}}}, nil
		})
		d := detection("ct-stop-logging", "xss-1", -time.Minute,
			`{"eventName":"CreateUser","requestParameters":{"userName":`+quoteJSON(payload)+`},"userIdentity":{"arn":`+quoteJSON(payload)+`}}`)
		d.RuleTitle = "Evil " + payload
		f.ingest(d)
		a := f.alertOf("ct-stop-logging")
		srv := httptest.NewServer(f.h)
		t.Cleanup(srv.Close)
		tab := newTab(t, browser)
		for _, page := range []struct{ path, wait string }{{"/alerts", "alerts-table"}, {"/alerts/" + a.ID, "h-evidence"}} {
			if err := chromedp.Do(tab,
				chromedp.Navigate(srv.URL+page.path),
				chromedp.WaitVisible(chromedp.ID(page.wait)),
			); err != nil {
				t.Fatalf("opening %s: %v", page.path, err)
			}
			executed, err := chromedp.Run(tab, chromedp.Evaluate[bool](`window.__xss !== undefined || document.title === "pwned"`))
			if err != nil {
				t.Fatal(err)
			}
			if executed {
				t.Errorf("%s: the script in the event ran", page.path)
			}
			text, err := chromedp.Run(tab, chromedp.Text(chromedp.CSS("main")))
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(text, `<script>document.title="pwned"`) {
				t.Errorf("%s: the payload is not shown as text", page.path)
			}
		}
		imgs, err := chromedp.Run(tab, chromedp.Evaluate[int](`document.querySelectorAll("main img, main script").length`))
		if err != nil {
			t.Fatal(err)
		}
		if imgs != 0 {
			t.Errorf("the alert page has %d img/script elements in main, want 0", imgs)
		}
	})
}
