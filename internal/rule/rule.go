// Package rule holds what every detection rule has, whatever its language: identity, severity,
// tags, provenance, and the diagnostics produced while loading rules.
package rule

import (
	"fmt"
	"strings"
)

// Level is a rule's severity, ordered from Informational to Critical.
type Level uint8

// Levels, as Sigma names them.
const (
	LevelUnknown Level = iota
	Informational
	Low
	Medium
	High
	Critical
)

var levelNames = [...]string{"", "informational", "low", "medium", "high", "critical"}

// ParseLevel returns the level named s (lower-case Sigma names).
func ParseLevel(s string) (Level, bool) {
	for i, n := range levelNames {
		if i > 0 && n == s {
			return Level(i), true
		}
	}
	return LevelUnknown, false
}

// String returns the Sigma name of the level ("" when unknown).
func (l Level) String() string {
	if int(l) < len(levelNames) {
		return levelNames[l]
	}
	return ""
}

// MarshalText renders the level by name.
func (l Level) MarshalText() ([]byte, error) { return []byte(l.String()), nil }

// UnmarshalText reads a level by name ("" is LevelUnknown).
func (l *Level) UnmarshalText(b []byte) error {
	if len(b) == 0 {
		*l = LevelUnknown
		return nil
	}
	lv, ok := ParseLevel(string(b))
	if !ok {
		return fmt.Errorf("unknown level %q", b)
	}
	*l = lv
	return nil
}

// Meta is the descriptive part of a rule.
type Meta struct {
	ID             string   `json:"id"`
	Name           string   `json:"name,omitempty"`
	Title          string   `json:"title"`
	Description    string   `json:"description,omitempty"`
	Status         string   `json:"status,omitempty"`
	Author         string   `json:"author,omitempty"`
	Date           string   `json:"date,omitempty"`
	Modified       string   `json:"modified,omitempty"`
	Level          Level    `json:"level"`
	Tags           []string `json:"tags,omitempty"`
	References     []string `json:"references,omitempty"`
	FalsePositives []string `json:"falsepositives,omitempty"`
	Fields         []string `json:"fields,omitempty"`
}

// Origin says where a rule was loaded from.
type Origin struct {
	Builtin bool   `json:"builtin"`
	File    string `json:"file"` // path (relative to the embedded pack for built-in rules)
	Line    int    `json:"line"` // line of the rule's document
}

// String renders the origin as `path:line` (built-in rules live under `builtin/`).
func (o Origin) String() string {
	return fmt.Sprintf("%s:%d", o.File, o.Line)
}

// Severity of a diagnostic.
type Severity uint8

// Diagnostic severities.
const (
	SeverityError Severity = iota
	SeverityWarning
)

// Diagnostic is one problem found in a rule file, with its position.
type Diagnostic struct {
	File     string
	Line     int // 1-based; 0 when unknown
	Col      int // 1-based; 0 when unknown
	Severity Severity
	Msg      string
}

// String renders the diagnostic as `file:line:col: message`, warnings marked as such.
func (d Diagnostic) String() string {
	var b strings.Builder
	b.WriteString(d.File)
	if d.Line > 0 {
		fmt.Fprintf(&b, ":%d", d.Line)
		col := d.Col
		if col < 1 {
			col = 1
		}
		fmt.Fprintf(&b, ":%d", col)
	}
	b.WriteString(": ")
	if d.Severity == SeverityWarning {
		b.WriteString("warning: ")
	}
	b.WriteString(d.Msg)
	return b.String()
}

// Diagnostics is a list of problems; as an error it reports the errors among them.
type Diagnostics []Diagnostic

// Errors returns only the error-severity diagnostics.
func (ds Diagnostics) Errors() Diagnostics {
	var out Diagnostics
	for _, d := range ds {
		if d.Severity == SeverityError {
			out = append(out, d)
		}
	}
	return out
}

// Warnings returns only the warning-severity diagnostics.
func (ds Diagnostics) Warnings() Diagnostics {
	var out Diagnostics
	for _, d := range ds {
		if d.Severity == SeverityWarning {
			out = append(out, d)
		}
	}
	return out
}

// Err returns the diagnostics as an error when at least one is an error, else nil.
func (ds Diagnostics) Err() error {
	if errs := ds.Errors(); len(errs) > 0 {
		return errs
	}
	return nil
}

// Error joins the diagnostics, one per line.
func (ds Diagnostics) Error() string {
	lines := make([]string, len(ds))
	for i, d := range ds {
		lines[i] = d.String()
	}
	return strings.Join(lines, "\n")
}
