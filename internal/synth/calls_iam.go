package synth

import (
	"strconv"
	"strings"
	"time"
)

// STS, KMS, IAM and CloudTrail writers.

// STS.

func (g *CloudTrail) stsAssumeRole(b []byte, e *event) []byte {
	role := g.pick(g.p.roleNames)
	e.arn = "arn:aws:iam::" + e.account + ":role/" + role
	e.object = role
	b = kstr(append(b, '{'), "roleArn", e.arn)
	session := "botocore-session-" + strconv.FormatInt(g.now.Unix(), 10)
	if e.id.kind == kindAWSService {
		session = g.hexString(32)
	}
	e.bucket = "" // no S3 host
	b = kstr(b, "roleSessionName", session)
	e.object = session
	b = kint(b, "durationSeconds", 3600)
	return append(b, '}')
}

func (g *CloudTrail) stsAssumeRoleResp(b []byte, e *event) []byte {
	b = append(kobj(append(b, '{'), "credentials"), `"accessKeyId":"ASIA`...)
	b = append(b, g.idString(base32, 16)...)
	b = append(b, `","sessionToken":"IQoJb3JpZ2luX2VjE`...)
	b = append(b, g.idString(alnum, 60)...)
	b = append(b, `","expiration":"`...)
	b = g.now.Add(time.Hour).AppendFormat(b, "Jan 2, 2006, 3:04:05 PM")
	b = append(b, `"}`...)
	b = append(kobj(b, "assumedRoleUser"), `"assumedRoleId":"AROA`...)
	b = append(b, g.idString(base32, 17)...)
	b = append(b, ':')
	b = appendEscaped(b, e.object)
	b = append(b, `","arn":"`...)
	b = appendEscaped(b, strings.Replace(strings.Replace(e.arn, ":iam:", ":sts:", 1), ":role/", ":assumed-role/", 1))
	b = append(b, '/')
	b = appendEscaped(b, e.object)
	return append(b, `"}}`...)
}

func (g *CloudTrail) roleResources(b []byte, e *event) []byte {
	b = kstr(eobj(b), "accountId", e.account)
	b = kstr(b, "type", "AWS::IAM::Role")
	return append(kstr(b, "ARN", e.arn), '}')
}

// KMS.

func (g *CloudTrail) kmsKeyARN(e *event) string {
	return "arn:aws:kms:" + e.region + ":" + e.account + ":key/" + g.pick(g.p.kmsKeys)
}

func (g *CloudTrail) kmsDecrypt(b []byte, e *event) []byte {
	e.arn = g.kmsKeyARN(e)
	b = kobj(append(b, '{'), "encryptionContext")
	switch g.rng.IntN(3) {
	case 0:
		b = kstr(b, "aws:lambda:FunctionArn", "arn:aws:lambda:"+e.region+":"+e.account+":function:"+g.pick(g.p.functions))
	case 1:
		b = kstr(b, "aws:s3:arn", "arn:aws:s3:::"+g.pick(g.p.buckets))
	default:
		b = kstr(b, "aws:ebs:id", g.pick(g.p.volumes))
	}
	b = append(b, '}')
	return append(kstr(b, "encryptionAlgorithm", "SYMMETRIC_DEFAULT"), '}')
}

func (g *CloudTrail) kmsGenerateDataKey(b []byte, e *event) []byte {
	e.arn = g.kmsKeyARN(e)
	b = kstr(append(b, '{'), "keyId", e.arn)
	b = kobj(b, "encryptionContext")
	b = kstr(b, "aws:s3:arn", "arn:aws:s3:::"+g.pick(g.p.buckets)+"/"+g.pick(objectPrefixes))
	b = append(b, '}')
	return append(kstr(b, "keySpec", "AES_256"), '}')
}

func (g *CloudTrail) kmsKey(b []byte, e *event) []byte {
	e.arn = g.kmsKeyARN(e)
	return append(kstr(append(b, '{'), "keyId", e.arn), '}')
}

func (g *CloudTrail) kmsScheduleDeletion(b []byte, e *event) []byte {
	e.arn = g.kmsKeyARN(e)
	return append(kint(kstr(append(b, '{'), "keyId", e.arn), "pendingWindowInDays", 7), '}')
}

func (g *CloudTrail) kmsScheduleDeletionResp(b []byte, e *event) []byte {
	b = kstr(append(b, '{'), "keyId", e.arn)
	b = append(key(b, "deletionDate"), '"')
	b = g.now.Add(7*24*time.Hour).AppendFormat(b, "Jan 2, 2006, 3:04:05 PM")
	b = append(b, '"')
	b = kstr(b, "keyState", "PendingDeletion")
	return append(kint(b, "pendingWindowInDays", 7), '}')
}

func (g *CloudTrail) kmsResources(b []byte, e *event) []byte {
	b = kstr(eobj(b), "accountId", e.account)
	b = kstr(b, "type", "AWS::KMS::Key")
	return append(kstr(b, "ARN", e.arn), '}')
}

// IAM.

func (g *CloudTrail) iamUserName(b []byte, e *event) []byte {
	e.object = g.pick(g.p.userNames)
	return append(kstr(append(b, '{'), "userName", e.object), '}')
}

func (g *CloudTrail) iamNewUser(b []byte, e *event) []byte {
	e.object = g.pick([]string{"backup-admin", "support", "temp-contractor", "svc-", "admin2"}) + g.hexString(4)
	return append(kstr(append(b, '{'), "userName", e.object), '}')
}

func (g *CloudTrail) iamMaxItems(b []byte, _ *event) []byte {
	return append(b, `{"maxItems":100}`...)
}

func (g *CloudTrail) iamRoleName(b []byte, _ *event) []byte {
	return append(kstr(append(b, '{'), "roleName", g.pick(g.p.roleNames)), '}')
}

// managedPolicies are AWS managed policy names. They are read-only.
var managedPolicies = []string{"AdministratorAccess", "ReadOnlyAccess", "PowerUserAccess", "AmazonS3FullAccess", "IAMFullAccess", "SecurityAudit"}

func (g *CloudTrail) iamPolicyARN(b []byte, _ *event) []byte {
	return append(kstr(append(b, '{'), "policyArn", "arn:aws:iam::aws:policy/"+g.pick(managedPolicies)), '}')
}

func (g *CloudTrail) iamAppendDate(b []byte, k string) []byte {
	b = append(key(b, k), '"')
	b = g.now.AppendFormat(b, "Jan 2, 2006, 3:04:05 PM")
	return append(b, '"')
}

func (g *CloudTrail) iamCreateAccessKeyResp(b []byte, e *event) []byte {
	b = kobj(append(b, '{'), "accessKey")
	b = kstr(b, "userName", e.object)
	b = kstr(b, "accessKeyId", "AKIA"+g.idString(base32, 16))
	b = kstr(b, "status", "Active")
	b = g.iamAppendDate(b, "createDate")
	return append(b, '}', '}')
}

func (g *CloudTrail) iamCreateUserResp(b []byte, e *event) []byte {
	b = kobj(append(b, '{'), "user")
	b = kstr(b, "path", "/")
	b = kstr(b, "userName", e.object)
	b = kstr(b, "userId", "AIDA"+g.idString(base32, 17))
	b = kstr(b, "arn", "arn:aws:iam::"+e.account+":user/"+e.object)
	b = g.iamAppendDate(b, "createDate")
	return append(b, '}', '}')
}

func (g *CloudTrail) iamAttachUserPolicy(b []byte, _ *event) []byte {
	b = kstr(append(b, '{'), "userName", g.pick(g.p.userNames))
	return append(kstr(b, "policyArn", "arn:aws:iam::aws:policy/"+g.pick(managedPolicies)), '}')
}

// iamPutUserPolicy writes a policy document as an escaped JSON string, as
// CloudTrail does.
func (g *CloudTrail) iamPutUserPolicy(b []byte, _ *event) []byte {
	b = kstr(append(b, '{'), "userName", g.pick(g.p.userNames))
	b = kstr(b, "policyName", g.pick([]string{"inline-admin", "s3-access", "AllowAll"}))
	doc := "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [\n    {\n      \"Effect\": \"Allow\",\n      \"Action\": \"" +
		g.pick([]string{"*", "s3:*", "iam:PassRole"}) + "\",\n      \"Resource\": \"*\"\n    }\n  ]\n}"
	return append(kstr(b, "policyDocument", doc), '}')
}

func (g *CloudTrail) iamCreateLoginProfile(b []byte, e *event) []byte {
	e.object = g.pick(g.p.userNames)
	return append(kbool(kstr(append(b, '{'), "userName", e.object), "passwordResetRequired", g.rng.IntN(2) == 0), '}')
}

func (g *CloudTrail) iamLoginProfileResp(b []byte, e *event) []byte {
	b = kobj(append(b, '{'), "loginProfile")
	b = kstr(b, "userName", e.object)
	b = g.iamAppendDate(b, "createDate")
	return append(kbool(b, "passwordResetRequired", true), '}', '}')
}

func (g *CloudTrail) iamUpdateAssumeRolePolicy(b []byte, _ *event) []byte {
	b = kstr(append(b, '{'), "roleName", g.pick(g.p.roleNames))
	doc := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` +
		g.p.accounts[2] + `:root"},"Action":"sts:AssumeRole"}]}`
	return append(kstr(b, "policyDocument", doc), '}')
}

// CloudTrail.

func (g *CloudTrail) trailARN(e *event) string {
	return "arn:aws:cloudtrail:" + e.region + ":" + e.account + ":trail/" + g.pick(g.p.trails)
}

func (g *CloudTrail) trailDescribe(b []byte, _ *event) []byte {
	return append(b, `{"trailNameList":[],"includeShadowTrails":true}`...)
}

func (g *CloudTrail) trailName(b []byte, e *event) []byte {
	e.arn = g.trailARN(e)
	return append(kstr(append(b, '{'), "name", e.arn), '}')
}

func (g *CloudTrail) trailLookupEvents(b []byte, _ *event) []byte {
	b = append(b, `{"maxResults":50,"lookupAttributes":[{"attributeKey":"EventName","attributeValue":"`...)
	b = append(b, g.pick([]string{"ConsoleLogin", "CreateAccessKey", "RunInstances", "AssumeRole"})...)
	return append(b, `"}]}`...)
}

func (g *CloudTrail) trailResources(b []byte, e *event) []byte {
	b = kstr(eobj(b), "accountId", e.account)
	b = kstr(b, "type", "AWS::CloudTrail::Trail")
	return append(kstr(b, "ARN", e.arn), '}')
}
