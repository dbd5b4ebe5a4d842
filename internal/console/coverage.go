package console

import (
	"cmp"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"picket/internal/catalog"
)

// tactic is one ATT&CK enterprise tactic, a column of the coverage matrix.
type tactic struct{ Slug, ID, Name string }

// tactics lists the ATT&CK enterprise tactics in kill-chain order; a rule tag names one as
// attack.<slug> (Sigma also writes underscores).
func tactics() []tactic {
	return []tactic{
		{"reconnaissance", "TA0043", "Reconnaissance"},
		{"resource-development", "TA0042", "Resource Development"},
		{"initial-access", "TA0001", "Initial Access"},
		{"execution", "TA0002", "Execution"},
		{"persistence", "TA0003", "Persistence"},
		{"privilege-escalation", "TA0004", "Privilege Escalation"},
		{"defense-evasion", "TA0005", "Defense Evasion"},
		{"credential-access", "TA0006", "Credential Access"},
		{"discovery", "TA0007", "Discovery"},
		{"lateral-movement", "TA0008", "Lateral Movement"},
		{"collection", "TA0009", "Collection"},
		{"command-and-control", "TA0011", "Command and Control"},
		{"exfiltration", "TA0010", "Exfiltration"},
		{"impact", "TA0040", "Impact"},
	}
}

// techniqueNames names the ATT&CK techniques cloud rules usually tag; others show their id.
var techniqueNames = map[string]string{
	"T1078": "Valid Accounts", "T1078.001": "Default Accounts", "T1078.004": "Cloud Accounts",
	"T1098": "Account Manipulation", "T1098.001": "Additional Cloud Credentials",
	"T1098.003": "Additional Cloud Roles", "T1136": "Create Account", "T1136.003": "Cloud Account",
	"T1190": "Exploit Public-Facing Application", "T1199": "Trusted Relationship",
	"T1562": "Impair Defenses", "T1562.001": "Disable or Modify Tools",
	"T1562.007": "Disable or Modify Cloud Firewall", "T1562.008": "Disable or Modify Cloud Logs",
	"T1070": "Indicator Removal", "T1535": "Unused/Unsupported Cloud Regions",
	"T1578": "Modify Cloud Compute Infrastructure", "T1578.002": "Create Cloud Instance",
	"T1526": "Cloud Service Discovery", "T1580": "Cloud Infrastructure Discovery",
	"T1087": "Account Discovery", "T1087.004": "Cloud Account", "T1069": "Permission Groups Discovery",
	"T1530": "Data from Cloud Storage", "T1537": "Transfer Data to Cloud Account",
	"T1552": "Unsecured Credentials", "T1552.005": "Cloud Instance Metadata API",
	"T1528": "Steal Application Access Token", "T1110": "Brute Force", "T1621": "MFA Request Generation",
	"T1556": "Modify Authentication Process", "T1556.006": "Multi-Factor Authentication",
	"T1485": "Data Destruction", "T1486": "Data Encrypted for Impact", "T1496": "Resource Hijacking",
	"T1490": "Inhibit System Recovery", "T1531": "Account Access Removal",
	"T1648": "Serverless Execution", "T1651": "Cloud Administration Command",
	"T1059": "Command and Scripting Interpreter", "T1059.009": "Cloud API",
	"T1133": "External Remote Services", "T1566": "Phishing", "T1484": "Domain or Tenant Policy Modification",
	"T1484.002": "Trust Modification", "T1548": "Abuse Elevation Control Mechanism",
	"T1606": "Forge Web Credentials", "T1550": "Use Alternate Authentication Material",
	"T1550.001": "Application Access Token", "T1021": "Remote Services", "T1021.007": "Cloud Services",
	"T1538": "Cloud Service Dashboard", "T1619": "Cloud Storage Object Discovery",
	"T1567": "Exfiltration Over Web Service", "T1048": "Exfiltration Over Alternative Protocol",
	"T1071": "Application Layer Protocol", "T1090": "Proxy", "T1595": "Active Scanning",
}

// coverageView is the data of the coverage page.
type coverageView struct {
	Columns    []tacticColumn
	Techniques int // distinct techniques tagged
	Enabled    int // techniques with at least one enabled rule
	Hit        int // techniques whose enabled rules hit in the last 7 days
}

// tacticColumn is one column of the matrix.
type tacticColumn struct {
	tactic
	Cells []*techniqueCell
}

// techniqueCell is one technique under one tactic.
type techniqueCell struct {
	ID, Name, Tag string
	State         string // hit (enabled and hit in 7 days), on (enabled), off (only disabled rules)
	Rules         int
	Enabled       int
	Hits7d        int
	Link          string
}

// coverage renders the ATT&CK matrix of the rules' technique tags.
func (c *console) coverage(w http.ResponseWriter, r *http.Request) {
	rules, err := c.deps.Catalog.List(r.Context())
	if err != nil {
		c.fail(w, r, fmt.Errorf("listing rules: %w", err))
		return
	}
	c.render(w, r, http.StatusOK, "coverage", pageData{Title: "Coverage", Nav: "coverage", Data: c.matrix(rules)})
}

// matrix places each technique tagged by a rule under the tactics tagged by the same rule;
// techniques of rules without a tactic tag go to an "Unmapped" column.
func (c *console) matrix(rules []catalog.Rule) coverageView {
	cols := tactics()
	cols = append(cols, tactic{Slug: "", ID: "", Name: "Unmapped"})
	cells := make([]map[string]*techniqueCell, len(cols))
	for i := range cells {
		cells[i] = make(map[string]*techniqueCell)
	}
	techniques := make(map[string]*techniqueCell) // overall, for the totals
	for _, rl := range rules {
		var techs []string
		var cis []int
		for _, t := range rl.Tags {
			t = strings.ToLower(strings.TrimSpace(t))
			if techniqueTag.MatchString(t) {
				techs = append(techs, t)
				continue
			}
			slug := strings.ReplaceAll(strings.TrimPrefix(t, "attack."), "_", "-")
			if i := slices.IndexFunc(cols[:len(cols)-1], func(x tactic) bool { return x.Slug == slug }); i >= 0 && strings.HasPrefix(t, "attack.") {
				cis = append(cis, i)
			}
		}
		if len(cis) == 0 {
			cis = []int{len(cols) - 1}
		}
		for _, tag := range slices.Compact(slices.Sorted(slices.Values(techs))) {
			for _, ci := range slices.Compact(slices.Sorted(slices.Values(cis))) {
				cells[ci][tag] = c.addRule(cells[ci][tag], tag, rl)
			}
			techniques[tag] = c.addRule(techniques[tag], tag, rl)
		}
	}
	var v coverageView
	for _, t := range techniques {
		v.Techniques++
		if t.Enabled > 0 {
			v.Enabled++
		}
		if t.State == "hit" {
			v.Hit++
		}
	}
	for i, t := range cols {
		col := tacticColumn{tactic: t}
		for _, cell := range cells[i] {
			col.Cells = append(col.Cells, cell)
		}
		slices.SortFunc(col.Cells, func(a, b *techniqueCell) int { return cmp.Compare(a.ID, b.ID) })
		if t.Slug == "" && len(col.Cells) == 0 {
			continue // no unmapped column when everything is mapped
		}
		v.Columns = append(v.Columns, col)
	}
	return v
}

// addRule counts rule rl in the cell of technique tag, creating the cell when nil.
func (c *console) addRule(cell *techniqueCell, tag string, rl catalog.Rule) *techniqueCell {
	if cell == nil {
		id := strings.ToUpper(strings.TrimPrefix(tag, "attack."))
		cell = &techniqueCell{
			ID: id, Name: techniqueNames[id], Tag: tag, State: "off",
			Link: c.listURL("/rules", url.Values{"tag": {tag}}),
		}
	}
	cell.Rules++
	if rl.Enabled {
		cell.Enabled++
		cell.Hits7d += rl.Hits7d
	}
	switch {
	case cell.Enabled > 0 && cell.Hits7d > 0:
		cell.State = "hit"
	case cell.Enabled > 0:
		cell.State = "on"
	}
	return cell
}
