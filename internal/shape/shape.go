// Package shape recognises which product wrote a log record from the record's shape, and gives the
// event its Sigma logsource, its event ID and its event time.
//
// Recognition reads a handful of top-level fields through the event's lazy index; it never decodes
// the record. Records of no known shape are application logs (logsource category `application`),
// identified by a hash of their bytes and timed by a common timestamp field when they have one.
package shape

import (
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"strings"
	"time"

	"picket/internal/event"
)

// Kinds of records, as set in event.Event.Kind.
const (
	KindCloudTrail      = "aws.cloudtrail"
	KindGCPAudit        = "gcp.audit"
	KindGCPLog          = "gcp.log"
	KindAzureActivity   = "azure.activity"
	KindAzureSignIn     = "azure.signin"
	KindAzureAudit      = "azure.audit"
	KindAzureRisk       = "azure.risk"
	KindAzureResource   = "azure.resource"
	KindOkta            = "okta"
	KindKubernetesAudit = "kubernetes.audit"
	KindGitHubAudit     = "github.audit"
	KindM365            = "m365.audit"
	KindBitbucket       = "bitbucket.audit"
	KindOneLogin        = "onelogin"
	KindJSON            = "json"
	KindText            = "text"
)

// Envelope carries what the transport knew about a record (CloudWatch event ID and timestamp).
type Envelope struct {
	ID   string
	Time time.Time
}

// paths read by recognition, compiled once.
var (
	pEventVersion = event.NewPath("eventVersion")
	pEventSource  = event.NewPath("eventSource")
	pEventName    = event.NewPath("eventName")
	pEventID      = event.NewPath("eventID")
	pEventTime    = event.NewPath("eventTime")
	pProtoType    = event.NewPath("protoPayload.@type")
	pProtoService = event.NewPath("protoPayload.serviceName")
	pInsertID     = event.NewPath("insertId")
	pTimestamp    = event.NewPath("timestamp")
	pLogName      = event.NewPath("logName")
	pCategory     = event.NewPath("category")
	pOperation    = event.NewPath("operationName")
	pResourceID   = event.NewPath("resourceId")
	pTime         = event.NewPath("time")
	pPropsID      = event.NewPath("properties.id")
	pPropsEventID = event.NewPath("properties.eventDataId")
	pEventDataID  = event.NewPath("eventDataId")
	pEventTS      = event.NewPath("eventTimestamp")
	pType         = event.NewPath("Type")
	pTimeGen      = event.NewPath("TimeGenerated")
	pLAID         = event.NewPath("Id")
	pEventType    = event.NewPath("eventType")
	pUUID         = event.NewPath("uuid")
	pPublished    = event.NewPath("published")
	pKind         = event.NewPath("kind")
	pAPIVersion   = event.NewPath("apiVersion")
	pAuditID      = event.NewPath("auditID")
	pStageTS      = event.NewPath("stageTimestamp")
	pReceivedTS   = event.NewPath("requestReceivedTimestamp")
	pAction       = event.NewPath("action")
	pActor        = event.NewPath("actor")
	pAtTimestamp  = event.NewPath("@timestamp")
	pCreatedAt    = event.NewPath("created_at")
	pDocumentID   = event.NewPath("_document_id")
	pCreationTime = event.NewPath("CreationTime")
	pOperationM   = event.NewPath("Operation")
	pWorkload     = event.NewPath("Workload")
	pIDM          = event.NewPath("Id")
	pAuditType    = event.NewPath("auditType.action")
	pEventTypeID  = event.NewPath("event_type_id")
	pUUIDOneLogin = event.NewPath("uuid")
)

// text returns the first string value at p.
func text(ev *event.Event, p event.Path) (string, bool) {
	var s string
	_, ok := ev.Lookup(p, func(v event.Value) bool {
		if v.Kind() == event.String || v.Kind() == event.Number {
			s = v.Text()
			return true
		}
		return false
	})
	return s, ok
}

// Identify sets ev.Kind, ev.LogSource, ev.ID and ev.Time from the record's shape, falling back on
// the envelope and then on a content hash and the read time now. A malformed JSON record keeps
// empty fields apart from its ID and time.
func Identify(ev *event.Event, env Envelope, now time.Time) {
	var idPath, timePath []event.Path
	switch {
	case ev.IsText():
		ev.Kind, ev.LogSource = KindText, event.LogSource{Category: "application"}
	case ev.Err() != nil:
		ev.Kind = ""
	case ev.Has(pEventVersion) && ev.Has(pEventSource) && ev.Has(pEventName):
		ev.Kind, ev.LogSource = KindCloudTrail, event.LogSource{Product: "aws", Service: "cloudtrail"}
		idPath, timePath = []event.Path{pEventID}, []event.Path{pEventTime}
	case ev.Has(pProtoType) || ev.Has(pInsertID) && ev.Has(pLogName):
		idPath, timePath = []event.Path{pInsertID}, []event.Path{pTimestamp}
		ev.Kind, ev.LogSource = KindGCPLog, event.LogSource{Product: "gcp"}
		if t, _ := text(ev, pProtoType); t == "type.googleapis.com/google.cloud.audit.AuditLog" {
			ev.Kind, ev.LogSource.Service = KindGCPAudit, "gcp.audit"
			switch svc, _ := text(ev, pProtoService); svc {
			case "login.googleapis.com":
				ev.LogSource.Service = "google_workspace.login"
			case "admin.googleapis.com":
				ev.LogSource.Service = "google_workspace.admin"
			}
		}
	case ev.Has(pEventDataID) && ev.Has(pOperation):
		ev.Kind, ev.LogSource = KindAzureActivity, event.LogSource{Product: "azure", Service: "activitylogs"}
		idPath, timePath = []event.Path{pEventDataID}, []event.Path{pEventTS}
	case ev.Has(pOperation) && ev.Has(pCategory) && (ev.Has(pTime) || ev.Has(pResourceID)):
		cat, _ := text(ev, pCategory)
		ev.Kind, ev.LogSource = azureKind(cat)
		idPath, timePath = []event.Path{pPropsID, pPropsEventID}, []event.Path{pTime}
	case ev.Has(pType) && ev.Has(pTimeGen):
		typ, _ := text(ev, pType)
		ev.Kind, ev.LogSource = logAnalyticsKind(typ)
		idPath, timePath = []event.Path{pLAID}, []event.Path{pTimeGen}
	case ev.Has(pEventType) && ev.Has(pUUID) && ev.Has(pPublished):
		ev.Kind, ev.LogSource = KindOkta, event.LogSource{Product: "okta", Service: "okta"}
		idPath, timePath = []event.Path{pUUID}, []event.Path{pPublished}
	case ev.Has(pAuditID) && ev.Has(pKind) && apiGroup(ev) == "audit.k8s.io":
		ev.Kind, ev.LogSource = KindKubernetesAudit, event.LogSource{Product: "kubernetes", Service: "audit", Category: "application"}
		idPath, timePath = []event.Path{pAuditID}, []event.Path{pStageTS, pReceivedTS}
	case ev.Has(pAction) && ev.Has(pActor) && (ev.Has(pAtTimestamp) || ev.Has(pCreatedAt)) && (ev.Has(pDocumentID) || ev.Has(event.NewPath("org")) || ev.Has(event.NewPath("business"))):
		ev.Kind, ev.LogSource = KindGitHubAudit, event.LogSource{Product: "github", Service: "audit"}
		idPath, timePath = []event.Path{pDocumentID}, []event.Path{pAtTimestamp, pCreatedAt}
	case ev.Has(pCreationTime) && ev.Has(pOperationM) && ev.Has(pWorkload):
		ev.Kind, ev.LogSource = KindM365, event.LogSource{Product: "m365", Service: "audit"}
		idPath, timePath = []event.Path{pIDM}, []event.Path{pCreationTime}
	case ev.Has(pAuditType):
		ev.Kind, ev.LogSource = KindBitbucket, event.LogSource{Product: "bitbucket", Service: "audit"}
		timePath = []event.Path{pTimestamp}
	case ev.Has(pEventTypeID) && ev.Has(pUUIDOneLogin):
		ev.Kind, ev.LogSource = KindOneLogin, event.LogSource{Product: "onelogin", Service: "onelogin.events"}
		idPath, timePath = []event.Path{pUUIDOneLogin}, []event.Path{event.NewPath("created_at")}
	default:
		ev.Kind, ev.LogSource = KindJSON, event.LogSource{Category: "application"}
		timePath = genericTimeFields
	}
	for _, p := range idPath {
		if id, ok := text(ev, p); ok && id != "" {
			ev.ID = id
			break
		}
	}
	if ev.ID == "" {
		ev.ID = env.ID
	}
	if ev.ID == "" {
		sum := sha256.Sum256(ev.Raw)
		ev.ID = hex.EncodeToString(sum[:16])
	}
	for _, p := range timePath {
		if t, ok := timeAt(ev, p); ok {
			ev.Time = t
			break
		}
	}
	if ev.Time.IsZero() && ev.IsText() {
		ev.Time, _ = leadingTime(ev.Raw)
	}
	if ev.Time.IsZero() {
		ev.Time = env.Time
	}
	if ev.Time.IsZero() {
		ev.Time = now
	}
	ev.Time = ev.Time.UTC()
}

var genericTimeFields = []event.Path{
	event.NewPath("timestamp"), event.NewPath("@timestamp"), event.NewPath("time"), event.NewPath("ts"),
	event.NewPath("eventTime"), event.NewPath("date"), event.NewPath("datetime"),
}

func apiGroup(ev *event.Event) string {
	v, _ := text(ev, pAPIVersion)
	g, _, _ := strings.Cut(v, "/")
	return g
}

func azureKind(category string) (string, event.LogSource) {
	switch strings.ToLower(category) {
	case "signinlogs", "noninteractiveusersigninlogs", "serviceprincipalsigninlogs", "managedidentitysigninlogs":
		return KindAzureSignIn, event.LogSource{Product: "azure", Service: "signinlogs"}
	case "auditlogs":
		return KindAzureAudit, event.LogSource{Product: "azure", Service: "auditlogs"}
	case "userriskevents", "riskyusers", "serviceprincipalriskevents", "riskyserviceprincipals":
		return KindAzureRisk, event.LogSource{Product: "azure", Service: "riskdetection"}
	case "administrative", "security", "policy", "servicehealth", "resourcehealth", "alert", "recommendation", "autoscale":
		return KindAzureActivity, event.LogSource{Product: "azure", Service: "activitylogs"}
	}
	return KindAzureResource, event.LogSource{Product: "azure"}
}

func logAnalyticsKind(typ string) (string, event.LogSource) {
	switch typ {
	case "SigninLogs", "AADNonInteractiveUserSignInLogs", "AADServicePrincipalSignInLogs":
		return KindAzureSignIn, event.LogSource{Product: "azure", Service: "signinlogs"}
	case "AuditLogs":
		return KindAzureAudit, event.LogSource{Product: "azure", Service: "auditlogs"}
	case "AzureActivity":
		return KindAzureActivity, event.LogSource{Product: "azure", Service: "activitylogs"}
	case "AADUserRiskEvents", "AADRiskyUsers":
		return KindAzureRisk, event.LogSource{Product: "azure", Service: "riskdetection"}
	}
	return KindJSON, event.LogSource{Category: "application"}
}

// timeAt parses the first value at p as a timestamp.
func timeAt(ev *event.Event, p event.Path) (time.Time, bool) {
	var t time.Time
	_, ok := ev.Lookup(p, func(v event.Value) bool {
		var ok bool
		switch v.Kind() {
		case event.String:
			t, ok = ParseTime(v.Text())
		case event.Number:
			if f, fok := v.Float(); fok {
				t, ok = epoch(f), true
			}
		}
		return ok
	})
	return t, ok
}

// timeLayouts are the timestamp forms picket recognises, most common first.
var timeLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02T15:04:05.999999999",
	"2006-01-02 15:04:05.999999999Z07:00",
	"2006-01-02 15:04:05.999999999",
	"2006-01-02T15:04:05.999999999-0700",
	"2006-01-02 15:04:05,999999999",
	"1/2/2006 3:04:05 PM",
	time.RFC1123Z,
	time.RFC1123,
}

// ParseTime parses a timestamp in the forms cloud logs use: RFC 3339 with 0–9 fractional digits,
// the same without a zone (taken as UTC), a space instead of the T, numeric epochs in seconds or
// milliseconds, and the US locale form older Azure exporters wrote.
func ParseTime(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, false
	}
	if c := s[0]; c >= '0' && c <= '9' && !strings.ContainsAny(s, "-/:") {
		if f, err := strconv.ParseFloat(s, 64); err == nil {
			return epoch(f), true
		}
	}
	if t, ok := parseUTCFast(s); ok {
		return t, true
	}
	for _, l := range timeLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// parseUTCFast parses the commonest form, `2006-01-02T15:04:05Z` with an optional fraction of up
// to nine digits, without the generic layout machinery.
func parseUTCFast(s string) (time.Time, bool) {
	if len(s) < 20 || s[len(s)-1] != 'Z' || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' || s[16] != ':' {
		return time.Time{}, false
	}
	num := func(a, b int) (int, bool) {
		n := 0
		for i := a; i < b; i++ {
			c := s[i]
			if c < '0' || c > '9' {
				return 0, false
			}
			n = n*10 + int(c-'0')
		}
		return n, true
	}
	year, ok1 := num(0, 4)
	month, ok2 := num(5, 7)
	day, ok3 := num(8, 10)
	hour, ok4 := num(11, 13)
	minute, ok5 := num(14, 16)
	sec, ok6 := num(17, 19)
	if !(ok1 && ok2 && ok3 && ok4 && ok5 && ok6) || month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || sec > 59 {
		return time.Time{}, false
	}
	nsec := 0
	if frac := s[19 : len(s)-1]; frac != "" {
		if frac[0] != '.' || len(frac) < 2 || len(frac) > 10 {
			return time.Time{}, false
		}
		n, ok := num(20, len(s)-1)
		if !ok {
			return time.Time{}, false
		}
		for i := len(frac) - 1; i < 9; i++ {
			n *= 10
		}
		nsec = n
	}
	t := time.Date(year, time.Month(month), day, hour, minute, sec, nsec, time.UTC)
	if t.Day() != day { // 31 February and the like
		return time.Time{}, false
	}
	return t, true
}

// epoch converts seconds, or milliseconds when ≥ 1e12, since the Unix epoch.
func epoch(f float64) time.Time {
	if f >= 1e12 {
		return time.UnixMilli(int64(f)).UTC()
	}
	sec := int64(f)
	return time.Unix(sec, int64((f-float64(sec))*1e9)).UTC()
}

// leadingTime parses a timestamp at the start of a text line (`2024-01-02T03:04:05Z ERROR …`,
// `2024-01-02 03:04:05,123 …`, `[2024-01-02 03:04:05] …`).
func leadingTime(line []byte) (time.Time, bool) {
	s := strings.TrimLeft(string(line[:min(len(line), 40)]), "[ ")
	if len(s) < 19 || s[4] != '-' || s[7] != '-' {
		return time.Time{}, false
	}
	end := 19
	for end < len(s) && strings.IndexByte("0123456789.,:+-Z", s[end]) >= 0 {
		end++
	}
	for e := end; e >= 19; e-- {
		if t, ok := ParseTime(s[:e]); ok {
			return t, true
		}
	}
	return time.Time{}, false
}
