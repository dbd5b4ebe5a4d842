package sigma

import (
	"testing"

	"picket/internal/event"
)

// TestFieldMapping checks that rules written with SigmaHQ's field names find the fields of the
// logs picket reads, and that a field present under its own name wins.
func TestFieldMapping(t *testing.T) {
	tests := []struct {
		name  string
		ls    string
		field string
		value string
		event string
		evLS  event.LogSource
		want  bool
	}{
		{"gcp ECS-style method name", "{product: gcp, service: gcp.audit}", "gcp.audit.method_name", "SetIamPolicy",
			`{"protoPayload":{"methodName":"SetIamPolicy"}}`, event.LogSource{Product: "gcp", Service: "gcp.audit"}, true},
		{"gcp data. prefix", "{product: gcp, service: gcp.audit}", "data.protoPayload.serviceName", "iam.googleapis.com",
			`{"protoPayload":{"serviceName":"iam.googleapis.com"}}`, event.LogSource{Product: "gcp", Service: "gcp.audit"}, true},
		{"azure OperationName column", "{product: azure, service: activitylogs}", "OperationName", "MICROSOFT.KEYVAULT/VAULTS/DELETE",
			`{"operationName":"MICROSOFT.KEYVAULT/VAULTS/DELETE"}`, event.LogSource{Product: "azure", Service: "activitylogs"}, true},
		{"azure REST operationName object", "{product: azure, service: activitylogs}", "operationName", "Microsoft.KeyVault/vaults/delete",
			`{"operationName":{"value":"Microsoft.KeyVault/vaults/delete"}}`, event.LogSource{Product: "azure", Service: "activitylogs"}, true},
		{"own name wins over the mapping", "{product: azure, service: signinlogs}", "ResultType", "50126",
			`{"ResultType":"0","resultType":"50126"}`, event.LogSource{Product: "azure", Service: "signinlogs"}, false},
		{"no mapping outside the logsource", "{product: aws, service: cloudtrail}", "gcp.audit.method_name", "SetIamPolicy",
			`{"protoPayload":{"methodName":"SetIamPolicy"}}`, event.LogSource{Product: "aws", Service: "cloudtrail"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := NewLoader(Options{})
			l.AddFile("r.yml", []byte("title: m\nid: 00000000-0000-4000-8000-0000000000aa\nlogsource: "+tt.ls+"\ndetection:\n    sel:\n        "+tt.field+": '"+tt.value+"'\n    condition: sel\nlevel: low\n"), false)
			set, diags := l.Finish()
			if err := diags.Err(); err != nil {
				t.Fatal(err)
			}
			ev := event.New([]byte(tt.event))
			ev.LogSource = tt.evLS
			if got := set.Rules[0].Detection.Matcher.Match(ev); got != tt.want {
				t.Errorf("match = %v, want %v", got, tt.want)
			}
		})
	}
}
