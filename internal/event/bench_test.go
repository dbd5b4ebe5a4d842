package event

import (
	"encoding/json"
	"testing"
)

// benchRecord is a typical ~1 KB CloudTrail management event.
var benchRecord = []byte(`{"eventVersion":"1.09","userIdentity":{"type":"AssumedRole","principalId":"AROAEXAMPLEID:botocore-session-1700000000","arn":"arn:aws:sts::123456789012:assumed-role/deploy/botocore-session-1700000000","accountId":"123456789012","accessKeyId":"ASIAEXAMPLEKEY","sessionContext":{"sessionIssuer":{"type":"Role","principalId":"AROAEXAMPLEID","arn":"arn:aws:iam::123456789012:role/deploy","accountId":"123456789012","userName":"deploy"},"attributes":{"creationDate":"2024-01-02T03:00:00Z","mfaAuthenticated":"false"}}},"eventTime":"2024-01-02T03:04:05Z","eventSource":"ec2.amazonaws.com","eventName":"DescribeInstances","awsRegion":"us-east-1","sourceIPAddress":"198.51.100.23","userAgent":"aws-cli/2.15.0 Python/3.11.6 Linux/6.1 exe/x86_64.amzn.2 prompt/off command/ec2.describe-instances","requestParameters":{"instancesSet":{},"filterSet":{"items":[{"name":"instance-state-name","valueSet":{"items":[{"value":"running"}]}}]}},"responseElements":null,"requestID":"6f1c8d2e-1b2a-4c3d-9e8f-0a1b2c3d4e5f","eventID":"0b6d3c1a-9f8e-4d7c-b6a5-948372615041","readOnly":true,"eventType":"AwsApiCall","managementEvent":true,"recipientAccountId":"123456789012","eventCategory":"Management","tlsDetails":{"tlsVersion":"TLSv1.3","cipherSuite":"TLS_AES_128_GCM_SHA256","clientProvidedHostHeader":"ec2.us-east-1.amazonaws.com"}}`)

func BenchmarkIndexAndLookup(b *testing.B) {
	var ev Event
	src, name, typ := NewPath("eventSource"), NewPath("eventName"), NewPath("userIdentity.type")
	b.SetBytes(int64(len(benchRecord)))
	b.ReportAllocs()
	for b.Loop() {
		ev.Reset(benchRecord, false)
		ev.Lookup(src, func(Value) bool { return false })
		ev.Lookup(name, func(Value) bool { return false })
		ev.Lookup(typ, func(Value) bool { return false })
	}
}

func BenchmarkUnmarshalMap(b *testing.B) {
	b.SetBytes(int64(len(benchRecord)))
	b.ReportAllocs()
	for b.Loop() {
		var m map[string]any
		if err := json.Unmarshal(benchRecord, &m); err != nil {
			b.Fatal(err)
		}
	}
}
