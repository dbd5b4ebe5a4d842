package synth

// S3 requestParameters, responseElements, additionalEventData and resources.

func (g *CloudTrail) s3Object(b []byte, e *event) []byte {
	e.bucket = g.pick(g.p.buckets)
	var name []byte
	name = append(name, g.pick(objectPrefixes)...)
	switch g.rng.IntN(20) {
	case 0:
		name = append(name, "Quarterly report (final) – résumé"...) // spaces and non-ASCII occur in real keys
	case 1:
		name = append(name, `odd "quoted" name\`...)
	default:
		name = append(name, g.hexString(8)...)
	}
	name = append(name, g.pick(objectExts)...)
	e.object = string(name)
	b = kstr(append(b, '{'), "bucketName", e.bucket)
	b = g.appendS3Host(b, e)
	return append(kstr(b, "key", e.object), '}')
}

func (g *CloudTrail) appendS3Host(b []byte, e *event) []byte {
	b = append(key(b, "Host"), '"')
	b = appendEscaped(b, e.bucket)
	b = append(b, ".s3."...)
	b = append(b, e.region...)
	return append(b, `.amazonaws.com"`...)
}

func (g *CloudTrail) s3ListObjects(b []byte, e *event) []byte {
	e.bucket = g.pick(g.p.buckets)
	b = kstr(append(b, '{'), "list-type", "2")
	b = kstr(b, "bucketName", e.bucket)
	b = kstr(b, "encoding-type", "url")
	b = kstr(b, "max-keys", "1000")
	b = kstr(b, "prefix", g.pick(objectPrefixes))
	b = kstr(b, "delimiter", "/")
	return append(g.appendS3Host(b, e), '}')
}

func (g *CloudTrail) s3ListBuckets(b []byte, _ *event) []byte {
	return append(b, `{"Host":"s3.amazonaws.com"}`...)
}

// s3BucketSub returns a writer for bucket subresource calls such as
// GetBucketAcl: {"bucketName":…,"Host":…,"acl":""}.
func s3BucketSub(sub string) writer {
	return func(g *CloudTrail, b []byte, e *event) []byte {
		e.bucket = g.pick(g.p.buckets)
		b = kstr(append(b, '{'), "bucketName", e.bucket)
		b = g.appendS3Host(b, e)
		return append(kstr(b, sub, ""), '}')
	}
}

func (g *CloudTrail) s3PutBucketPolicy(b []byte, e *event) []byte {
	e.bucket = g.pick(g.p.buckets)
	b = append(kobj(append(b, '{'), "bucketPolicy"), `"Version":"2012-10-17","Statement":[`...)
	b = kstr(eobj(b), "Sid", "PublicRead")
	b = kstr(b, "Effect", "Allow")
	if g.rng.IntN(2) == 0 {
		b = kstr(b, "Principal", "*")
	} else {
		b = kraw(kobj(b, "Principal"), "AWS", `"arn:aws:iam::`+g.p.accounts[2]+`:root"`)
		b = append(b, '}')
	}
	b = kstr(b, "Action", "s3:GetObject")
	b = kstr(b, "Resource", "arn:aws:s3:::"+e.bucket+"/*")
	b = append(b, "}]}"...)
	b = kstr(b, "bucketName", e.bucket)
	b = g.appendS3Host(b, e)
	return append(kstr(b, "policy", ""), '}')
}

func (g *CloudTrail) s3PutBucketAcl(b []byte, e *event) []byte {
	e.bucket = g.pick(g.p.buckets)
	b = kstr(append(b, '{'), "bucketName", e.bucket)
	b = g.appendS3Host(b, e)
	b = kstr(b, "acl", "")
	b = append(b, `,"AccessControlPolicy":{"AccessControlList":{"Grant":[{"Grantee":{"xsi:type":"Group","URI":"http://acs.amazonaws.com/groups/global/AllUsers","xmlns:xsi":"http://www.w3.org/2001/XMLSchema-instance"},"Permission":"READ"}]},"xmlns":"http://s3.amazonaws.com/doc/2006-03-01/","Owner":{"ID":"`...)
	b = append(b, g.hexString(32)...)
	b = append(b, g.hexString(32)...)
	return append(b, `"}}}`...)
}

func (g *CloudTrail) s3PutObjectResp(b []byte, _ *event) []byte {
	b = kstr(append(b, '{'), "x-amz-server-side-encryption", "AES256")
	return append(kstr(b, "x-amz-version-id", g.idString(alnum, 32)), '}')
}

func (g *CloudTrail) idString(alphabet string, n int) string {
	var buf [64]byte
	for i := range n {
		buf[i] = alphabet[g.rng.IntN(len(alphabet))]
	}
	return string(buf[:n])
}

func (g *CloudTrail) s3Additional(b []byte, e *event) []byte {
	b = kobj(b, "additionalEventData")
	b = kstr(b, "SignatureVersion", "SigV4")
	b = kstr(b, "CipherSuite", "TLS_AES_128_GCM_SHA256")
	in, out := 0, 0
	switch e.call.name {
	case "GetObject":
		out = 200 + g.rng.IntN(5<<20)
	case "PutObject":
		in = 200 + g.rng.IntN(5<<20)
	case "ListObjects":
		out = 400 + g.rng.IntN(20000)
	}
	b = kint(b, "bytesTransferredIn", int64(in))
	b = kstr(b, "AuthenticationMethod", "AuthHeader")
	b = kstr(b, "x-amz-id-2", g.idString(alnum, 56)+"=")
	b = kint(b, "bytesTransferredOut", int64(out))
	return append(b, '}')
}

func (g *CloudTrail) s3ObjectResources(b []byte, e *event) []byte {
	b = kstr(eobj(b), "type", "AWS::S3::Object")
	b = append(key(b, "ARN"), `"arn:aws:s3:::`...)
	b = appendEscaped(b, e.bucket)
	b = append(b, '/')
	b = appendEscaped(b, e.object)
	b = append(b, `"}`...)
	return g.s3BucketResources(b, e)
}

func (g *CloudTrail) s3BucketResources(b []byte, e *event) []byte {
	b = kstr(eobj(b), "accountId", e.account)
	b = kstr(b, "type", "AWS::S3::Bucket")
	return append(kstr(b, "ARN", "arn:aws:s3:::"+e.bucket), '}')
}
