package sigma

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// corpusPlaceholders supplies a value for every placeholder of rules-placeholder/.
var corpusPlaceholders = map[string][]string{
	"ApprovedUserUpn": {"admin@example.com"}, "Approved_Inviters": {"inviter@example.com"},
	"HomeTenantID": {"00000000-0000-0000-0000-000000000001"}, "Important_AppIds": {"00000000-0000-0000-0000-000000000002"},
	"KNOWN_LOCATION": {"FR"}, "Known_Location": {"FR"}, "Legitimate_Countries": {"FR", "DE"},
	"Legitimate_IP_Ranges": {"203.0.113.*"}, "UnApprovedDevice": {"device-1"}, "UnApprovedIp": {"198.51.100.7"},
	"UnLegitCountries": {"XX"}, "legtimate_identifiers": {"@example.com"},
}

func TestSigmaHQCorpusLoads(t *testing.T) {
	dir := corpusDir(t)
	for _, sub := range []string{"rules", "rules-threat-hunting", "rules-emerging-threats", "rules-placeholder"} {
		t.Run(sub, func(t *testing.T) {
			l := NewLoader(Options{Placeholders: corpusPlaceholders})
			if err := l.AddPath(filepath.Join(dir, sub)); err != nil {
				t.Fatal(err)
			}
			set, diags := l.Finish()
			for _, d := range diags.Errors() {
				t.Errorf("%s", d)
			}
			if len(set.Rules) != l.Files() {
				t.Errorf("%s: %d rules compiled from %d files, want one per file", sub, len(set.Rules), l.Files())
			}
			for _, r := range set.Rules {
				if r.Detection == nil || r.Detection.Matcher == nil {
					t.Errorf("%s: rule %s has no compiled matcher", r.Origin, r.ID)
				}
			}
			t.Logf("%s: %d files, %d rules, %d warnings", sub, l.Files(), len(set.Rules), len(diags.Warnings()))
		})
	}
}

func TestSigmaHQPlaceholderRulesNeedPlaceholders(t *testing.T) {
	dir := corpusDir(t)
	l := NewLoader(Options{})
	if err := l.AddPath(filepath.Join(dir, "rules-placeholder")); err != nil {
		t.Fatal(err)
	}
	set, diags := l.Finish()
	if len(set.Rules) != 0 {
		t.Errorf("%d placeholder rules loaded without placeholder values, want 0", len(set.Rules))
	}
	for _, d := range diags.Errors() {
		if !strings.Contains(d.Msg, "placeholder") {
			t.Errorf("unexpected error %s", d)
		}
	}
}

func TestSigmaHQUnsupportedRejected(t *testing.T) {
	dir := filepath.Join(corpusDir(t), "unsupported", "cloud")
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 9 {
		t.Errorf("%d unsupported rules, want 9", len(entries))
	}
	for _, e := range entries {
		path := filepath.Join(dir, e.Name())
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		// Load them as if their status were not "unsupported", so the syntax itself is judged.
		data = []byte(strings.ReplaceAll(string(data), "status: unsupported", "status: test"))
		l := NewLoader(Options{})
		l.AddFile(path, data, false)
		set, diags := l.Finish()
		if len(set.Rules) != 0 {
			t.Errorf("%s: loaded, want rejected", e.Name())
		}
		found := false
		for _, d := range diags.Errors() {
			if strings.Contains(d.Msg, "obsolete") && strings.Contains(d.Msg, "pipe") && d.Line > 0 {
				found = true
			}
		}
		if !found {
			t.Errorf("%s: no positioned error naming the obsolete pipe syntax; got:\n%v", e.Name(), diags)
		}
	}
}
