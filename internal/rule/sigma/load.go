package sigma

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"

	"picket/internal/rule"
)

// Options configure loading.
type Options struct {
	// Placeholders resolve `%name%` in values with the `expand` modifier (name without the %s).
	Placeholders map[string][]string
	// FieldMap maps rule field names to event paths per logsource; nil means DefaultFieldMap().
	FieldMap FieldMap
}

// Loader accumulates rule files and produces a Set. It is not safe for concurrent use.
type Loader struct {
	opts  Options
	rules []*Rule
	diags rule.Diagnostics
	files int
}

// NewLoader returns a loader with the given options.
func NewLoader(opts Options) *Loader {
	if opts.FieldMap == nil {
		opts.FieldMap = DefaultFieldMap()
	}
	return &Loader{opts: opts}
}

// IsRuleFile reports whether a file name is a Sigma rule file: `.yml` or `.yaml`, and not a rule
// test file (`*.test.yml`).
func IsRuleFile(name string) bool {
	ext := strings.ToLower(filepath.Ext(name))
	if ext != ".yml" && ext != ".yaml" {
		return false
	}
	return !strings.HasSuffix(strings.ToLower(strings.TrimSuffix(name, filepath.Ext(name))), ".test")
}

// AddPath loads a rule file, or every rule file under a directory (recursively, in lexical order).
func (l *Loader) AddPath(path string) error {
	info, err := os.Stat(path)
	if err != nil {
		return fmt.Errorf("reading rules: %w", err)
	}
	if !info.IsDir() {
		data, err := os.ReadFile(path)
		if err != nil {
			return fmt.Errorf("reading rules: %w", err)
		}
		l.AddFile(path, data, false)
		return nil
	}
	return l.AddFS(os.DirFS(path), path, false)
}

// AddFS loads every rule file in fsys. prefix is joined to file names in diagnostics; builtin
// marks the rules as part of the embedded pack.
func (l *Loader) AddFS(fsys fs.FS, prefix string, builtin bool) error {
	var names []string
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && IsRuleFile(p) {
			names = append(names, p)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("listing rules in %s: %w", prefix, err)
	}
	sort.Strings(names)
	for _, n := range names {
		data, err := fs.ReadFile(fsys, n)
		if err != nil {
			return fmt.Errorf("reading rules: %w", err)
		}
		name := n
		if prefix != "" {
			name = filepath.Join(prefix, filepath.FromSlash(n))
		}
		l.AddFile(name, data, builtin)
	}
	return nil
}

// Files reports how many rule files were read.
func (l *Loader) Files() int { return l.files }

// AddFile parses one rule file (one or more YAML documents). Problems are recorded as diagnostics;
// the file's valid documents are kept.
func (l *Loader) AddFile(name string, data []byte, builtin bool) {
	l.files++
	dec := yaml.NewDecoder(bytes.NewReader(data))
	for {
		var doc yaml.Node
		err := dec.Decode(&doc)
		if errors.Is(err, io.EOF) {
			return
		}
		if err != nil {
			l.diags = append(l.diags, yamlDiagnostic(name, err))
			return
		}
		if len(doc.Content) == 0 {
			continue
		}
		p := &docParser{file: name, opts: &l.opts, builtin: builtin}
		r := p.document(doc.Content[0])
		l.diags = append(l.diags, p.diags...)
		if r != nil && len(p.diags.Errors()) == 0 {
			l.rules = append(l.rules, r)
		}
	}
}

var yamlLine = regexp.MustCompile(`^yaml: (?:line (\d+): )?(.*)$`)

// yamlDiagnostic turns a YAML syntax error into a positioned diagnostic.
func yamlDiagnostic(file string, err error) rule.Diagnostic {
	d := rule.Diagnostic{File: file, Msg: "YAML: " + err.Error()}
	if m := yamlLine.FindStringSubmatch(err.Error()); m != nil {
		d.Msg = "YAML syntax error: " + m[2]
		if m[1] != "" {
			fmt.Sscan(m[1], &d.Line)
			d.Col = 1
		}
	}
	var te *yaml.TypeError
	if errors.As(err, &te) {
		d.Msg = "YAML: " + strings.Join(te.Errors, "; ")
	}
	return d
}

// Set is a loaded rule set: detection and correlation rules (filters already applied).
type Set struct {
	Rules   []*Rule
	Filters []*Rule
	byID    map[string]*Rule
	byName  map[string]*Rule
}

// Lookup finds a rule by id or name.
func (s *Set) Lookup(idOrName string) (*Rule, bool) {
	if r, ok := s.byID[idOrName]; ok {
		return r, true
	}
	r, ok := s.byName[idOrName]
	return r, ok
}

// Finish resolves filters and correlation references across all loaded files and returns the set
// with every diagnostic. Rules with errors are left out of the set; the rest are usable even when
// the diagnostics hold errors.
func (l *Loader) Finish() (*Set, rule.Diagnostics) {
	set := &Set{byID: map[string]*Rule{}, byName: map[string]*Rule{}}
	var filters []*Rule
	for _, r := range l.rules {
		if prev, dup := set.byID[r.ID]; dup {
			if prev.Origin.Builtin && !r.Origin.Builtin {
				l.warn(r, "rule id %s overrides the built-in rule %q", r.ID, prev.Title)
				set.replace(prev, r)
				continue
			}
			l.errorf(r, "duplicate rule id %s (also in %s)", r.ID, prev.Origin)
			continue
		}
		if r.Name != "" {
			if prev, dup := set.byName[r.Name]; dup && !(prev.Origin.Builtin && !r.Origin.Builtin) {
				l.errorf(r, "duplicate rule name %q (also in %s)", r.Name, prev.Origin)
				continue
			}
		}
		if r.Kind == KindFilter {
			filters = append(filters, r)
			continue
		}
		set.add(r)
	}
	for _, f := range filters {
		l.applyFilter(set, f)
		set.Filters = append(set.Filters, f)
	}
	l.resolveCorrelations(set)
	sort.SliceStable(l.diags, func(i, j int) bool {
		a, b := l.diags[i], l.diags[j]
		if a.File != b.File {
			return a.File < b.File
		}
		return a.Line < b.Line
	})
	return set, l.diags
}

func (s *Set) add(r *Rule) {
	s.Rules = append(s.Rules, r)
	s.byID[r.ID] = r
	if r.Name != "" {
		s.byName[r.Name] = r
	}
}

func (s *Set) replace(old, r *Rule) {
	for i, x := range s.Rules {
		if x == old {
			s.Rules[i] = r
		}
	}
	delete(s.byName, old.Name)
	s.byID[r.ID] = r
	if r.Name != "" {
		s.byName[r.Name] = r
	}
}

func (l *Loader) errorf(r *Rule, format string, args ...any) {
	l.diags = append(l.diags, rule.Diagnostic{File: r.Origin.File, Line: r.Origin.Line, Col: 1, Msg: fmt.Sprintf(format, args...)})
}

func (l *Loader) warn(r *Rule, format string, args ...any) {
	l.diags = append(l.diags, rule.Diagnostic{File: r.Origin.File, Line: r.Origin.Line, Col: 1, Severity: rule.SeverityWarning, Msg: fmt.Sprintf(format, args...)})
}

// derivedID gives a rule without an id a stable one from its file and title.
func derivedID(file, title string) string {
	sum := sha256.Sum256([]byte(filepath.ToSlash(file) + "\x00" + title))
	return "picket-" + hex.EncodeToString(sum[:8])
}
