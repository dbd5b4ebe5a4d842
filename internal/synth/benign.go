package synth

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"time"
)

// Benign generates ordinary read-only activity of GCP Cloud Audit Logs and the Azure Activity
// Log: the background a detection pack must stay quiet on.
type Benign struct {
	rng  *rand.Rand
	now  time.Time
	seqn int
}

// NewBenign returns a generator seeded for reproducible output.
func NewBenign(seed int64) *Benign {
	return &Benign{rng: rand.New(rand.NewPCG(uint64(seed), 0xb3)), now: time.Date(2026, 11, 20, 8, 0, 0, 0, time.UTC)}
}

var gcpReads = []struct{ service, method, resource string }{
	{"storage.googleapis.com", "storage.objects.get", "projects/_/buckets/acme-data/objects/report-%d.csv"},
	{"storage.googleapis.com", "storage.objects.list", "projects/_/buckets/acme-data"},
	{"storage.googleapis.com", "storage.buckets.get", "projects/_/buckets/acme-logs"},
	{"compute.googleapis.com", "v1.compute.instances.list", "projects/acme-prod/zones/europe-west1-b/instances"},
	{"compute.googleapis.com", "v1.compute.instances.get", "projects/acme-prod/zones/europe-west1-b/instances/web-%d"},
	{"compute.googleapis.com", "v1.compute.firewalls.list", "projects/acme-prod/global/firewalls"},
	{"iam.googleapis.com", "google.iam.admin.v1.ListServiceAccounts", "projects/acme-prod"},
	{"iam.googleapis.com", "google.iam.admin.v1.GetServiceAccount", "projects/acme-prod/serviceAccounts/app-%d@acme-prod.iam.gserviceaccount.com"},
	{"cloudresourcemanager.googleapis.com", "GetIamPolicy", "projects/acme-prod"},
	{"logging.googleapis.com", "google.logging.v2.ConfigServiceV2.ListSinks", "projects/acme-prod"},
	{"cloudkms.googleapis.com", "GetCryptoKey", "projects/acme-prod/locations/global/keyRings/app/cryptoKeys/key-%d"},
	{"bigquery.googleapis.com", "google.cloud.bigquery.v2.JobService.GetQueryResults", "projects/acme-prod/queries/job_%d"},
	{"container.googleapis.com", "google.container.v1.ClusterManager.GetCluster", "projects/acme-prod/locations/europe-west1/clusters/main"},
}

var gcpUsers = []string{"alice@acme.example", "bob@acme.example", "ci-deployer@acme-prod.iam.gserviceaccount.com", "monitoring@acme-prod.iam.gserviceaccount.com"}

// GCPAudit returns one successful read-only Cloud Audit Logs entry (data access or admin read).
func (g *Benign) GCPAudit() []byte {
	g.tick()
	c := gcpReads[g.rng.IntN(len(gcpReads))]
	res := c.resource
	if containsVerb(res) {
		res = fmt.Sprintf(res, g.rng.IntN(50))
	}
	entry := map[string]any{
		"insertId":         fmt.Sprintf("%x", g.rng.Uint64()),
		"logName":          "projects/acme-prod/logs/cloudaudit.googleapis.com%2Fdata_access",
		"timestamp":        g.now.Format(time.RFC3339Nano),
		"receiveTimestamp": g.now.Add(2 * time.Second).Format(time.RFC3339Nano),
		"severity":         "INFO",
		"resource":         map[string]any{"type": "audited_resource", "labels": map[string]any{"project_id": "acme-prod", "service": c.service}},
		"protoPayload": map[string]any{
			"@type":              "type.googleapis.com/google.cloud.audit.AuditLog",
			"serviceName":        c.service,
			"methodName":         c.method,
			"resourceName":       res,
			"authenticationInfo": map[string]any{"principalEmail": gcpUsers[g.rng.IntN(len(gcpUsers))]},
			"requestMetadata":    map[string]any{"callerIp": fmt.Sprintf("203.0.113.%d", 1+g.rng.IntN(250)), "callerSuppliedUserAgent": "google-cloud-sdk gcloud/480.0.0"},
			"authorizationInfo":  []any{map[string]any{"resource": res, "permission": c.method, "granted": true}},
		},
	}
	b, _ := json.Marshal(entry)
	return b
}

var azureReads = []string{
	"MICROSOFT.COMPUTE/VIRTUALMACHINES/READ", "MICROSOFT.STORAGE/STORAGEACCOUNTS/READ", "MICROSOFT.STORAGE/STORAGEACCOUNTS/LISTKEYS/ACTION",
	"MICROSOFT.NETWORK/NETWORKSECURITYGROUPS/READ", "MICROSOFT.KEYVAULT/VAULTS/READ", "MICROSOFT.RESOURCES/SUBSCRIPTIONS/RESOURCEGROUPS/READ",
	"MICROSOFT.INSIGHTS/DIAGNOSTICSETTINGS/READ", "MICROSOFT.AUTHORIZATION/ROLEASSIGNMENTS/READ", "MICROSOFT.WEB/SITES/READ",
}

// AzureActivity returns one successful read operation of the Azure Activity Log, exported shape.
func (g *Benign) AzureActivity() []byte {
	g.tick()
	op := azureReads[g.rng.IntN(len(azureReads))]
	rec := map[string]any{
		"time":            g.now.Format("2006-01-02T15:04:05.0000000Z"),
		"resourceId":      fmt.Sprintf("/SUBSCRIPTIONS/00000000-0000-4000-8000-00000000AB%02d/RESOURCEGROUPS/RG-APP/PROVIDERS/%s", g.rng.IntN(5), op),
		"operationName":   op,
		"category":        "Administrative",
		"resultType":      "Success",
		"resultSignature": "Succeeded.OK",
		"callerIpAddress": fmt.Sprintf("198.51.100.%d", 1+g.rng.IntN(250)),
		"correlationId":   fmt.Sprintf("%08x-0000-4000-8000-%012x", g.rng.Uint32(), g.rng.Uint64()&0xffffffffffff),
		"identity":        map[string]any{"claims": map[string]any{"upn": "alice@acme.example"}},
		"level":           "Information",
		"properties":      map[string]any{"statusCode": "OK", "eventDataId": fmt.Sprintf("%x", g.rng.Uint64())},
	}
	b, _ := json.Marshal(rec)
	return b
}

func (g *Benign) tick() {
	g.seqn++
	g.now = g.now.Add(time.Duration(1+g.rng.IntN(3000)) * time.Millisecond)
}

func containsVerb(s string) bool {
	for i := 0; i+1 < len(s); i++ {
		if s[i] == '%' && s[i+1] == 'd' {
			return true
		}
	}
	return false
}
