package parse

import (
	"bytes"
	"fmt"
	"io"
	"testing"
)

// cloudTrailEvent returns a CloudTrail-like record of about 1 KB, varied by i.
func cloudTrailEvent(i int) string {
	return fmt.Sprintf(`{"eventVersion":"1.09","userIdentity":{"type":"AssumedRole",`+
		`"principalId":"AROAEXAMPLEID%06d:session-%d","arn":"arn:aws:sts::123456789012:assumed-role/Admin/session-%d",`+
		`"accountId":"123456789012","accessKeyId":"ASIAEXAMPLE%09d","sessionContext":{"sessionIssuer":{"type":"Role",`+
		`"principalId":"AROAEXAMPLEID","arn":"arn:aws:iam::123456789012:role/Admin","accountId":"123456789012",`+
		`"userName":"Admin"},"attributes":{"creationDate":"2024-01-02T03:04:05Z","mfaAuthenticated":"false"}}},`+
		`"eventTime":"2024-01-02T03:%02d:%02dZ","eventSource":"s3.amazonaws.com","eventName":"GetObject",`+
		`"awsRegion":"us-east-1","sourceIPAddress":"203.0.113.%d","userAgent":"[aws-cli/2.15.0 Python/3.11.6 Linux/6.1 exe/x86_64.amzn.2 prompt/off command/s3.cp]",`+
		`"requestParameters":{"bucketName":"example-bucket","Host":"example-bucket.s3.us-east-1.amazonaws.com","key":"logs/2024/01/02/object-%d.json"},`+
		`"responseElements":null,"additionalEventData":{"SignatureVersion":"SigV4","CipherSuite":"TLS_AES_128_GCM_SHA256",`+
		`"bytesTransferredIn":0,"AuthenticationMethod":"AuthHeader","x-amz-id-2":"EXAMPLE\/id+%d==","bytesTransferredOut":%d},`+
		`"requestID":"EXAMPLE%010d","eventID":"0b7e6b0a-%04d-4c6e-9c7a-2f0e1d3c4b5a","readOnly":true,`+
		`"resources":[{"type":"AWS::S3::Object","ARN":"arn:aws:s3:::example-bucket/logs/object-%d.json"},`+
		`{"accountId":"123456789012","type":"AWS::S3::Bucket","ARN":"arn:aws:s3:::example-bucket"}],`+
		`"eventType":"AwsApiCall","managementEvent":false,"recipientAccountId":"123456789012","eventCategory":"Data",`+
		`"tlsDetails":{"tlsVersion":"TLSv1.3","cipherSuite":"TLS_AES_128_GCM_SHA256","clientProvidedHostHeader":"example-bucket.s3.us-east-1.amazonaws.com"}}`,
		i, i, i, i, i/60%60, i%60, i%250, i, i, i*37, i, i%10000, i)
}

// jsonlInput returns n CloudTrail-like records, one per line.
func jsonlInput(n int) []byte {
	var b bytes.Buffer
	for i := range n {
		b.WriteString(cloudTrailEvent(i))
		b.WriteByte('\n')
	}
	return b.Bytes()
}

// recordsInput returns a CloudTrail file of n records, on one line as CloudTrail writes it.
func recordsInput(n int) []byte {
	var b bytes.Buffer
	b.WriteString(`{"Records":[`)
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(cloudTrailEvent(i))
	}
	b.WriteString("]}\n")
	return b.Bytes()
}

func benchmarkFrame(b *testing.B, input []byte, format Format, want int) {
	b.SetBytes(int64(len(input)))
	b.ReportAllocs()
	var src bytes.Reader
	for b.Loop() {
		src.Reset(input)
		r := NewReader(&src, "bench", Options{Format: format})
		n := 0
		for {
			_, err := r.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
			n++
		}
		if n != want {
			b.Fatalf("read %d records, want %d", n, want)
		}
	}
}

func BenchmarkJSONL(b *testing.B) {
	benchmarkFrame(b, jsonlInput(8000), FormatJSONL, 8000)
}

func BenchmarkJSONLAuto(b *testing.B) {
	benchmarkFrame(b, jsonlInput(8000), FormatAuto, 8000)
}

func BenchmarkCloudTrailRecords(b *testing.B) {
	benchmarkFrame(b, recordsInput(8000), FormatCloudTrail, 8000)
}

func BenchmarkText(b *testing.B) {
	benchmarkFrame(b, jsonlInput(8000), FormatText, 8000)
}
