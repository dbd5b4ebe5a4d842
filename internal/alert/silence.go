package alert

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"
)

// MatchOp is the operator of a silence matcher.
type MatchOp string

// Matcher operators. Regular expressions are RE2 and anchored at both ends.
const (
	OpEqual     MatchOp = "="
	OpNotEqual  MatchOp = "!="
	OpRegexp    MatchOp = "=~"
	OpNotRegexp MatchOp = "!~"
)

// groupFieldPfx prefixes matcher fields that address a group value.
const groupFieldPfx = "group."

// Matcher fields. A group value is addressed as "group.<name>".
const (
	FieldRuleID    = "rule_id"
	FieldTag       = "tag"
	FieldLevel     = "level"
	FieldSource    = "source"
	FieldAccount   = "account"
	FieldLogSource = "logsource"
)

// Matcher tests one field of an alert. For `tag`, `=` and `=~` hold when some tag matches, and
// `!=` and `!~` when no tag does. `level` compares the level's name, `logsource` its
// product/service[/category] form. A missing group value is the empty string.
type Matcher struct {
	Field string  `json:"field"`
	Op    MatchOp `json:"op"`
	Value string  `json:"value"`
}

// String renders the matcher as field op "value".
func (m Matcher) String() string { return fmt.Sprintf("%s%s%q", m.Field, m.Op, m.Value) }

// matcher is a validated Matcher with its regular expression compiled.
type matcher struct {
	Matcher
	re *regexp.Regexp
}

// compileMatcher validates m and compiles its regular expression.
func compileMatcher(m Matcher) (matcher, error) {
	switch m.Field {
	case FieldRuleID, FieldTag, FieldLevel, FieldSource, FieldAccount, FieldLogSource:
	default:
		if !strings.HasPrefix(m.Field, groupFieldPfx) || len(m.Field) == len(groupFieldPfx) {
			return matcher{}, fmt.Errorf("matcher field %q: want rule_id, tag, level, source, account, logsource or group.<name>", m.Field)
		}
	}
	c := matcher{Matcher: m}
	switch m.Op {
	case OpEqual, OpNotEqual:
	case OpRegexp, OpNotRegexp:
		re, err := regexp.Compile("^(?:" + m.Value + ")$")
		if err != nil {
			return matcher{}, fmt.Errorf("matcher %s: %w", m, err)
		}
		c.re = re
	default:
		return matcher{}, fmt.Errorf("matcher %s: unknown operator %q", m.Field, m.Op)
	}
	return c, nil
}

// matches reports whether a's field satisfies the matcher.
func (m *matcher) matches(a *Alert) bool {
	var vals []string
	switch m.Field {
	case FieldRuleID:
		vals = []string{a.RuleID}
	case FieldTag:
		vals = a.Tags
	case FieldLevel:
		vals = []string{a.Level.String()}
	case FieldSource:
		vals = []string{a.Source}
	case FieldAccount:
		vals = []string{a.Account}
	case FieldLogSource:
		vals = []string{a.LogSource.String()}
	default:
		vals = []string{a.Group[strings.TrimPrefix(m.Field, groupFieldPfx)]}
	}
	hit := slices.ContainsFunc(vals, func(v string) bool {
		if m.re != nil {
			return m.re.MatchString(v)
		}
		return v == m.Value
	})
	if m.Op == OpNotEqual || m.Op == OpNotRegexp {
		return !hit
	}
	return hit
}

// Silence suppresses notification of the alerts all its matchers match, between StartsAt and
// EndsAt. Alerts it matches are still folded and stored.
type Silence struct {
	ID       string    `json:"id"`
	Matchers []Matcher `json:"matchers"`
	Author   string    `json:"author"`
	Comment  string    `json:"comment"`
	StartsAt time.Time `json:"starts_at"`
	// EndsAt is the expiry; ExpireSilence moves it to the time of expiry.
	EndsAt    time.Time `json:"ends_at"`
	CreatedAt time.Time `json:"created_at"`
	// ExpiredBy is the actor who expired the silence early, if any.
	ExpiredBy string `json:"expired_by,omitempty"`
}

// Active reports whether the silence is in effect at now: StartsAt <= now < EndsAt.
func (s *Silence) Active(now time.Time) bool {
	return !now.Before(s.StartsAt) && now.Before(s.EndsAt)
}

// Matches reports whether every matcher matches a, regardless of time. It compiles the
// matchers on each call (the Manager compiles them once per operation); a silence whose
// matchers do not compile matches nothing.
func (s *Silence) Matches(a *Alert) bool {
	c, err := compileSilence(s)
	return err == nil && c.matches(a)
}

// compiled is a silence with its matchers compiled.
type compiled struct {
	s  *Silence
	ms []matcher
}

// compileSilence validates and compiles the matchers of s, reporting every problem.
func compileSilence(s *Silence) (compiled, error) {
	if len(s.Matchers) == 0 {
		return compiled{}, errors.New("no matchers")
	}
	c := compiled{s: s, ms: make([]matcher, 0, len(s.Matchers))}
	var errs []error
	for _, m := range s.Matchers {
		cm, err := compileMatcher(m)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		c.ms = append(c.ms, cm)
	}
	return c, errors.Join(errs...)
}

func (c *compiled) matches(a *Alert) bool {
	for i := range c.ms {
		if !c.ms[i].matches(a) {
			return false
		}
	}
	return len(c.ms) > 0
}

// Validate checks a silence about to be created at now: matchers that compile, an author, a
// comment, and an expiry after now and after StartsAt. It reports every problem at once,
// wrapping ErrInvalid.
func (s *Silence) Validate(now time.Time) error {
	var errs []error
	if _, err := compileSilence(s); err != nil {
		errs = append(errs, err)
	}
	if strings.TrimSpace(s.Author) == "" {
		errs = append(errs, errors.New("author is required"))
	}
	if strings.TrimSpace(s.Comment) == "" {
		errs = append(errs, errors.New("comment is required"))
	}
	switch {
	case s.EndsAt.IsZero():
		errs = append(errs, errors.New("expiry (ends_at) is required"))
	case !s.EndsAt.After(now):
		errs = append(errs, fmt.Errorf("expiry %s is not in the future", s.EndsAt.Format(time.RFC3339)))
	case !s.StartsAt.IsZero() && !s.EndsAt.After(s.StartsAt):
		errs = append(errs, errors.New("expiry is not after the start"))
	}
	if len(errs) > 0 {
		return fmt.Errorf("silence: %w: %w", ErrInvalid, errors.Join(errs...))
	}
	return nil
}

// Clone returns a deep copy of s.
func (s Silence) Clone() Silence {
	s.Matchers = slices.Clone(s.Matchers)
	return s
}

// compileSilences compiles the silences active at now, skipping any that do not compile (they
// were validated when created; a later, stricter version must not break ingestion).
func compileSilences(ss []Silence, now time.Time) []compiled {
	var cs []compiled
	for i := range ss {
		if !ss[i].Active(now) {
			continue
		}
		if c, err := compileSilence(&ss[i]); err == nil {
			cs = append(cs, c)
		}
	}
	return cs
}

// silenceIDs returns the ids of the silences that match a.
func silenceIDs(cs []compiled, a *Alert) []string {
	var ids []string
	for i := range cs {
		if cs[i].matches(a) {
			ids = append(ids, cs[i].s.ID)
		}
	}
	return ids
}
