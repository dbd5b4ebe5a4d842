package sigma

import (
	"strings"

	"picket/internal/event"
	"picket/internal/match"
)

// FieldMap maps the field names rules use to the paths where events carry them, per logsource
// (Sigma's "processing pipeline" idea, reduced to field names). Keys of the outer map are
// "product/service" or "product" (applies to every service of the product).
type FieldMap map[string]map[string][]string

// Field returns the match.Field for a rule field under a logsource: the field's own name first,
// then the mapped candidates — unless the mapping lists the name itself, whose list then gives
// the whole order (`operationName` → `operationName.value`, `operationName` tries the REST
// shape's object member before the exported string). Mapping entries ending in "." are prefix
// rewrites (`data.protoPayload.` → `protoPayload.`).
func (fm FieldMap) Field(ls event.LogSource, name string) match.Field {
	var cands []string
	for _, key := range []string{ls.Product + "/" + ls.Service, ls.Product} {
		m, ok := fm[strings.ToLower(key)]
		if !ok {
			continue
		}
		cands = append(cands, m[name]...)
		for from, tos := range m {
			if strings.HasSuffix(from, ".") && strings.HasPrefix(name, from) {
				for _, to := range tos {
					cands = append(cands, to+strings.TrimPrefix(name, from))
				}
			}
		}
	}
	ordered := false
	for _, c := range cands {
		ordered = ordered || c == name
	}
	if !ordered {
		cands = append([]string{name}, cands...)
	}
	return match.NewField(name, dedupe(cands)...)
}

func dedupe(ss []string) []string {
	seen := map[string]bool{}
	out := ss[:0]
	for _, s := range ss {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

// DefaultFieldMap returns picket's built-in mappings: the names SigmaHQ's cloud rules use mapped
// to the fields of the logs picket collects.
func DefaultFieldMap() FieldMap {
	azure := map[string][]string{
		"OperationName":             {"operationName", "operationName.value", "properties.operationName"},
		"operationName":             {"operationName.value", "operationName", "OperationName", "properties.operationName"},
		"OperationNameValue":        {"operationName", "operationName.value"},
		"Category":                  {"category", "properties.category", "category.value"},
		"category":                  {"category.value", "category", "Category"},
		"CategoryValue":             {"category", "category.value"},
		"ResourceProviderValue":     {"resourceProviderName.value", "properties.resourceProviderValue"},
		"ResourceId":                {"resourceId"},
		"ResultType":                {"resultType", "properties.status.errorCode"},
		"resultType":                {"ResultType", "properties.status.errorCode"},
		"ResultDescription":         {"resultDescription", "properties.status.failureReason"},
		"Resultdescription":         {"resultDescription", "ResultDescription", "properties.status.failureReason"},
		"Status":                    {"status", "properties.status", "properties.result"},
		"Initiatied.By":             {"properties.initiatedBy", "InitiatedBy"},
		"Initiatedby":               {"properties.initiatedBy", "InitiatedBy"},
		"LoggedByService":           {"properties.loggedByService"},
		"ActivityDisplayName":       {"properties.activityDisplayName"},
		"ActivityType":              {"properties.activityType"},
		"activityType":              {"properties.activityType"},
		"TargetResources.":          {"properties.targetResources."},
		"TargetResources":           {"properties.targetResources"},
		"targetResources.":          {"properties.targetResources."},
		"AuthenticationRequirement": {"properties.authenticationRequirement"},
		"ClientApp":                 {"properties.clientAppUsed"},
		"DeviceDetail.":             {"properties.deviceDetail."},
		"RiskState":                 {"properties.riskState"},
		"Username":                  {"properties.userPrincipalName"},
		"ResourceDisplayName":       {"properties.resourceDisplayName"},
		"NetworkLocationDetails":    {"properties.networkLocationDetails"},
		"conditionalAccessStatus":   {"properties.conditionalAccessStatus"},
		"riskEventType":             {"properties.riskEventType"},
		"location":                  {"properties.location.countryOrRegion"},
		"userAgent":                 {"properties.userAgent"},
		"callerIpAddress":           {"properties.ipAddress"},
		"homeTenantId":              {"properties.homeTenantId"},
		"resourceTenantId":          {"properties.resourceTenantId"},
	}
	return FieldMap{
		"gcp/gcp.audit": {
			"gcp.audit.method_name":     {"protoPayload.methodName"},
			"gcp.audit.service_name":    {"protoPayload.serviceName"},
			"gcp.audit.resource_name":   {"protoPayload.resourceName"},
			"gcp.audit.principal_email": {"protoPayload.authenticationInfo.principalEmail"},
			"data.protoPayload.":        {"protoPayload."},
		},
		"gcp/google_workspace.login": {
			"protoPayload.Servicename": {"protoPayload.serviceName"},
		},
		"azure": azure,
	}
}
