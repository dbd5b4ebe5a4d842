package route

import (
	"maps"
	"slices"
	"strings"

	"picket/internal/alert"
)

// groupPrefix prefixes the fields that address one of an alert's group values.
const groupPrefix = "group."

// fieldAll in group_by stands for every field but status: one group per distinct alert.
const fieldAll = "..."

// fieldDef is one addressable alert field.
type fieldDef struct {
	name   string
	values func(a *alert.Alert) []string
}

func one(s string) []string { return []string{s} }

// fields is the table behind Field, where it is documented; group.<name> is handled there.
var fields = []fieldDef{
	{"rule_id", func(a *alert.Alert) []string { return one(a.RuleID) }},
	{"rule_title", func(a *alert.Alert) []string { return one(a.RuleTitle) }},
	{"level", func(a *alert.Alert) []string { return one(a.Level.String()) }},
	{"tag", func(a *alert.Alert) []string { return slices.Clone(a.Tags) }},
	{"tags", func(a *alert.Alert) []string { return slices.Clone(a.Tags) }},
	{"kind", func(a *alert.Alert) []string { return one(a.Kind) }},
	{"source", func(a *alert.Alert) []string { return one(a.Source) }},
	{"logsource", func(a *alert.Alert) []string { return one(a.LogSource.String()) }},
	{"logsource.product", func(a *alert.Alert) []string { return one(a.LogSource.Product) }},
	{"logsource.service", func(a *alert.Alert) []string { return one(a.LogSource.Service) }},
	{"logsource.category", func(a *alert.Alert) []string { return one(a.LogSource.Category) }},
	{"account", func(a *alert.Alert) []string { return one(a.Account) }},
	{"project", func(a *alert.Alert) []string { return one(a.Account) }},
	{"subscription", func(a *alert.Alert) []string { return one(a.Account) }},
	{"status", func(a *alert.Alert) []string { return one(string(a.Status)) }},
	{"id", func(a *alert.Alert) []string { return one(a.ID) }},
	{"fingerprint", func(a *alert.Alert) []string { return one(a.Fingerprint) }},
}

// allFields are the fields "..." in group_by expands to, besides every group value.
var allFields = []string{"rule_id", "rule_title", "level", "tags", "kind", "source", "logsource", "account", "id"}

// KnownField reports whether name is a field of the table documented on Field.
func KnownField(name string) bool {
	if rest, ok := strings.CutPrefix(name, groupPrefix); ok {
		return rest != ""
	}
	return slices.ContainsFunc(fields, func(f fieldDef) bool { return f.name == name })
}

// Field returns the values of an alert's field: one value for most fields, one per tag for tag
// (or tags), and nil for an unknown field. The fields are:
//
//	rule_id             Alert.RuleID
//	rule_title          Alert.RuleTitle
//	level               the level's Sigma name (informational … critical)
//	tag, tags           each of Alert.Tags (no value when the alert has no tags)
//	kind                "detection" or "correlation"
//	source              the configured source name
//	logsource           product/service[/category]
//	logsource.product   LogSource.Product (likewise logsource.service, logsource.category)
//	account             the account, project or subscription (aliases: project, subscription)
//	status              open, acknowledged or resolved
//	id, fingerprint     Alert.ID, Alert.Fingerprint
//	group.<name>        Alert.Group[name]; a missing group value is "" (as in silences)
func Field(a *alert.Alert, name string) []string {
	if rest, ok := strings.CutPrefix(name, groupPrefix); ok && rest != "" {
		return one(a.Group[rest])
	}
	for _, f := range fields {
		if f.name == name {
			return f.values(a)
		}
	}
	return nil
}

// fieldKey renders a field's values as one string for group keys and equality: tags sorted and
// joined with commas.
func fieldKey(a *alert.Alert, name string) string {
	vs := Field(a, name)
	if len(vs) > 1 {
		vs = slices.Clone(vs)
		slices.Sort(vs)
	}
	return strings.Join(vs, ",")
}

// groupLabels returns the group_by values of a; empty values are left out.
func groupLabels(a *alert.Alert, groupBy []string) map[string]string {
	names := groupBy
	if slices.Contains(groupBy, fieldAll) {
		names = slices.Clone(allFields)
		for _, k := range slices.Sorted(maps.Keys(a.Group)) {
			names = append(names, groupPrefix+k)
		}
	}
	labels := make(map[string]string, len(names))
	for _, n := range names {
		if v := fieldKey(a, n); v != "" {
			labels[n] = v
		}
	}
	return labels
}
