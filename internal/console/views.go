package console

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"path"
	"regexp"
	"strings"
	"time"

	"picket/internal/rule"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// pages are the page templates; each is parsed together with layout.html.
var pages = []string{
	"inbox", "alert", "sources", "rules", "rule", "coverage", "overview", "silences", "audit", "error",
}

// views holds the parsed page templates and the fingerprint of the static assets.
type views struct {
	pages        map[string]*template.Template
	assetVersion string
}

// pageData is what every page template receives: the layout's fields and the page's own Data.
type pageData struct {
	Title     string
	Nav       string // the navigation entry to mark as current
	User      string
	CSRFField string
	CSRFToken string
	Flash     string // a confirmation after an action (POST-redirect-GET)
	Data      any
}

// navItem is one entry of the main navigation.
type navItem struct{ Key, Label, Path string }

// navigation returns the main navigation, in display order.
func navigation() []navItem {
	return []navItem{
		{"overview", "Overview", "/overview"},
		{"alerts", "Alerts", "/alerts"},
		{"rules", "Rules", "/rules"},
		{"coverage", "Coverage", "/coverage"},
		{"sources", "Sources", "/sources"},
		{"silences", "Silences", "/silences"},
		{"audit", "Audit log", "/audit"},
	}
}

// newViews parses the templates; base prefixes every link and now drives relative times.
func newViews(base string, now func() time.Time) (*views, error) {
	v := &views{pages: make(map[string]*template.Template, len(pages))}
	sum, err := hashFS(staticFS)
	if err != nil {
		return nil, err
	}
	v.assetVersion = sum
	funcs := template.FuncMap{
		"link": func(format string, args ...any) string {
			esc := make([]any, len(args))
			for i, a := range args {
				esc[i] = url.PathEscape(fmt.Sprint(a))
			}
			return base + fmt.Sprintf(format, esc...)
		},
		"asset": func(name string) string {
			return base + "/static/" + name + "?v=" + v.assetVersion
		},
		"ts":        formatTime,
		"iso":       func(t time.Time) string { return t.UTC().Format(time.RFC3339) },
		"ago":       func(t time.Time) string { return ago(now(), t) },
		"dur":       formatDuration,
		"level":     levelName,
		"attackURL": attackURL,
		"join":      strings.Join,
		"navItems":  navigation,
		"plural":    pluralize,
	}
	for _, p := range pages {
		t, err := template.New(p).Funcs(funcs).ParseFS(templateFS, "templates/layout.html", "templates/"+p+".html")
		if err != nil {
			return nil, fmt.Errorf("parsing template %s: %w", p, err)
		}
		v.pages[p] = t
	}
	return v, nil
}

// hashFS returns a short fingerprint of every file in fsys, for cache-busting asset URLs.
func hashFS(fsys fs.FS) (string, error) {
	h := sha256.New()
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(fsys, p)
		if err != nil {
			return err
		}
		fmt.Fprintf(h, "%s %d\n", p, len(b))
		h.Write(b)
		return nil
	})
	if err != nil {
		return "", fmt.Errorf("hashing static assets: %w", err)
	}
	return hex.EncodeToString(h.Sum(nil))[:12], nil
}

// render executes page name into a buffer and writes it with status code, so that a template
// error never leaves half a page behind.
func (c *console) render(w http.ResponseWriter, r *http.Request, code int, name string, pd pageData) {
	pd.User = c.deps.User(r)
	pd.CSRFField = c.deps.CSRFField
	pd.CSRFToken = c.deps.CSRFToken(r)
	var buf bytes.Buffer
	if err := c.views.pages[name].ExecuteTemplate(&buf, "layout", pd); err != nil {
		c.log.ErrorContext(r.Context(), "rendering console page", "page", name, "err", err)
		http.Error(w, "internal error rendering the page", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(code)
	_, _ = w.Write(buf.Bytes()) // a failed write means the client went away
}

// static serves the embedded assets. A request carrying the current version is cacheable
// forever; the asset function renders such URLs.
func (c *console) static(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("file")
	b, err := fs.ReadFile(staticFS, "static/"+name)
	if err != nil {
		c.notFound(w, r)
		return
	}
	ctype := map[string]string{
		".css": "text/css; charset=utf-8",
		".js":  "text/javascript; charset=utf-8",
		".svg": "image/svg+xml",
	}[path.Ext(name)]
	if ctype == "" {
		ctype = "application/octet-stream"
	}
	h := w.Header()
	h.Set("Content-Type", ctype)
	if r.URL.Query().Get("v") == c.views.assetVersion {
		h.Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		h.Set("Cache-Control", "no-cache")
	}
	_, _ = w.Write(b)
}

// formatTime renders a time for people, in UTC; the zero time is a dash.
func formatTime(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return t.UTC().Format("2006-01-02 15:04:05 UTC")
}

// ago renders how long before now t was ("3m ago"); the zero time is "never".
func ago(now, t time.Time) string {
	if t.IsZero() {
		return "never"
	}
	d := now.Sub(t)
	if d < 0 {
		return "in " + formatDuration(-d)
	}
	if d < time.Second {
		return "just now"
	}
	return formatDuration(d) + " ago"
}

// formatDuration renders a duration coarsely: "45s", "12m", "3h 5m", "4d 2h".
func formatDuration(d time.Duration) string {
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%ds", int(d.Seconds()))
	case d < time.Hour:
		return fmt.Sprintf("%dm", int(d.Minutes()))
	case d < 24*time.Hour:
		h := int(d.Hours())
		if m := int(d.Minutes()) % 60; m != 0 {
			return fmt.Sprintf("%dh %dm", h, m)
		}
		return fmt.Sprintf("%dh", h)
	default:
		days := int(d.Hours()) / 24
		if h := int(d.Hours()) % 24; h != 0 {
			return fmt.Sprintf("%dd %dh", days, h)
		}
		return fmt.Sprintf("%dd", days)
	}
}

// levelName names a level for people and CSS classes ("unknown" for LevelUnknown).
func levelName(l rule.Level) string {
	if s := l.String(); s != "" {
		return s
	}
	return "unknown"
}

// techniqueTag matches ATT&CK technique tags: attack.t1078, attack.t1078.004.
var techniqueTag = regexp.MustCompile(`^attack\.t(\d{4})(?:\.(\d{3}))?$`)

// attackURL returns the MITRE page of an ATT&CK technique tag, or "" for other tags.
func attackURL(tag string) string {
	m := techniqueTag.FindStringSubmatch(strings.ToLower(tag))
	if m == nil {
		return ""
	}
	u := "https://attack.mitre.org/techniques/T" + m[1] + "/"
	if m[2] != "" {
		u += m[2] + "/"
	}
	return u
}
