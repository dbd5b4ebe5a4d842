package synth

import (
	"math/rand/v2"
	"strconv"
	"strings"
	"time"
)

// writer appends part of a record for e: a requestParameters or
// responseElements value, whole optional members (additional), or the
// elements of the resources array.
type writer func(g *CloudTrail, b []byte, e *event) []byte

// apiCall describes one eventSource/eventName pair and how to render it.
type apiCall struct {
	source     string // eventSource
	name       string // eventName
	weight     int    // relative frequency, out of about 10,000
	security   bool   // a security-relevant write that Sigma rules look for
	write      bool   // readOnly false
	data       bool   // data event: eventCategory Data, managementEvent false
	global     bool   // always awsRegion us-east-1
	svcPct     int    // percentage of calls made by an AWSService identity
	host       string // fixed tlsDetails.clientProvidedHostHeader, if any
	hostPrefix string // otherwise hostPrefix.<region>.amazonaws.com
	apiVersion string
	params     writer // nil: requestParameters null
	resp       writer // nil: responseElements null
	additional writer // additionalEventData and the like, or nil
	resources  writer // resources elements, or nil

	// Derived by catalog.
	version    string // eventVersion
	iamPrefix  string // IAM action prefix, "ec2"
	action     string // IAM action name, "ListFunctions"
	cliService string // aws-cli service, "ec2"
	cliCommand string // aws-cli command, "describe-instances"
}

const (
	srcEC2     = "ec2.amazonaws.com"
	srcS3      = "s3.amazonaws.com"
	srcSTS     = "sts.amazonaws.com"
	srcKMS     = "kms.amazonaws.com"
	srcIAM     = "iam.amazonaws.com"
	srcTrail   = "cloudtrail.amazonaws.com"
	srcLambda  = "lambda.amazonaws.com"
	srcLogs    = "logs.amazonaws.com"
	srcMetrics = "monitoring.amazonaws.com"
	srcDynamo  = "dynamodb.amazonaws.com"
	srcSecrets = "secretsmanager.amazonaws.com"
	srcSSM     = "ssm.amazonaws.com"
	srcSignin  = "signin.amazonaws.com"
	srcGuard   = "guardduty.amazonaws.com"
	srcECR     = "ecr.amazonaws.com"
	srcELB     = "elasticloadbalancing.amazonaws.com"
	srcRDS     = "rds.amazonaws.com"
)

// catalog returns the API calls the generator draws from: 77 event names
// over 17 services. Weights sum to about 10,000, of which security-relevant
// writes take about 150.
func catalog(r *rand.Rand) []apiCall {
	calls := []apiCall{
		// EC2.
		{source: srcEC2, name: "DescribeInstances", weight: 800, params: (*CloudTrail).ec2DescribeInstances},
		{source: srcEC2, name: "DescribeSecurityGroups", weight: 200, params: (*CloudTrail).ec2DescribeSecurityGroups},
		{source: srcEC2, name: "DescribeVpcs", weight: 120, params: (*CloudTrail).ec2DescribeVpcs},
		{source: srcEC2, name: "DescribeSubnets", weight: 150, params: (*CloudTrail).ec2DescribeSubnets},
		{source: srcEC2, name: "DescribeVolumes", weight: 100, params: (*CloudTrail).ec2DescribeVolumes},
		{source: srcEC2, name: "DescribeNetworkInterfaces", weight: 150, svcPct: 50, params: (*CloudTrail).ec2DescribeNetworkInterfaces},
		{source: srcEC2, name: "DescribeImages", weight: 50, params: (*CloudTrail).ec2DescribeImages},
		{source: srcEC2, name: "DescribeRegions", weight: 60, params: (*CloudTrail).ec2DescribeRegions},
		{source: srcEC2, name: "DescribeAvailabilityZones", weight: 60, params: (*CloudTrail).ec2DescribeAvailabilityZones},
		{source: srcEC2, name: "DescribeTags", weight: 100, params: (*CloudTrail).ec2DescribeTags},
		{source: srcEC2, name: "RunInstances", weight: 15, write: true, svcPct: 40, params: (*CloudTrail).ec2RunInstances, resp: (*CloudTrail).ec2RunInstancesResp},
		{source: srcEC2, name: "TerminateInstances", weight: 10, write: true, params: (*CloudTrail).ec2Instances, resp: (*CloudTrail).ec2TerminateInstancesResp},
		{source: srcEC2, name: "CreateTags", weight: 30, write: true, params: (*CloudTrail).ec2CreateTags, resp: (*CloudTrail).ec2Return},
		{security: true, source: srcEC2, name: "AuthorizeSecurityGroupIngress", weight: 18, write: true,
			params: (*CloudTrail).ec2AuthorizeIngress, resp: (*CloudTrail).ec2AuthorizeIngressResp},
		{security: true, source: srcEC2, name: "CreateKeyPair", weight: 6, write: true, params: (*CloudTrail).ec2CreateKeyPair, resp: (*CloudTrail).ec2CreateKeyPairResp},

		// S3 data events.
		{source: srcS3, name: "GetObject", weight: 700, data: true, svcPct: 10, params: (*CloudTrail).s3Object,
			additional: (*CloudTrail).s3Additional, resources: (*CloudTrail).s3ObjectResources},
		{source: srcS3, name: "PutObject", weight: 200, data: true, write: true, svcPct: 10, params: (*CloudTrail).s3Object,
			resp: (*CloudTrail).s3PutObjectResp, additional: (*CloudTrail).s3Additional, resources: (*CloudTrail).s3ObjectResources},
		{source: srcS3, name: "HeadObject", weight: 100, data: true, params: (*CloudTrail).s3Object,
			additional: (*CloudTrail).s3Additional, resources: (*CloudTrail).s3ObjectResources},
		{source: srcS3, name: "ListObjects", weight: 150, data: true, params: (*CloudTrail).s3ListObjects,
			additional: (*CloudTrail).s3Additional, resources: (*CloudTrail).s3BucketResources},
		// S3 management events.
		{source: srcS3, name: "ListBuckets", weight: 80, host: "s3.amazonaws.com", params: (*CloudTrail).s3ListBuckets, additional: (*CloudTrail).s3Additional},
		{source: srcS3, name: "GetBucketAcl", weight: 120, svcPct: 50, params: s3BucketSub("acl"), additional: (*CloudTrail).s3Additional, resources: (*CloudTrail).s3BucketResources},
		{source: srcS3, name: "GetBucketPolicy", weight: 80, params: s3BucketSub("policy"), additional: (*CloudTrail).s3Additional, resources: (*CloudTrail).s3BucketResources},
		{source: srcS3, name: "GetBucketLocation", weight: 150, svcPct: 50, params: s3BucketSub("location"), additional: (*CloudTrail).s3Additional, resources: (*CloudTrail).s3BucketResources},
		{source: srcS3, name: "GetBucketEncryption", weight: 60, params: s3BucketSub("encryption"), additional: (*CloudTrail).s3Additional, resources: (*CloudTrail).s3BucketResources},
		{security: true, source: srcS3, name: "PutBucketPolicy", weight: 10, write: true, params: (*CloudTrail).s3PutBucketPolicy,
			additional: (*CloudTrail).s3Additional, resources: (*CloudTrail).s3BucketResources},
		{security: true, source: srcS3, name: "PutBucketAcl", weight: 5, write: true, params: (*CloudTrail).s3PutBucketAcl,
			additional: (*CloudTrail).s3Additional, resources: (*CloudTrail).s3BucketResources},
		{security: true, source: srcS3, name: "DeleteBucketPolicy", weight: 3, write: true, params: s3BucketSub("policy"),
			additional: (*CloudTrail).s3Additional, resources: (*CloudTrail).s3BucketResources},

		// STS.
		{source: srcSTS, name: "AssumeRole", weight: 700, svcPct: 50, params: (*CloudTrail).stsAssumeRole,
			resp: (*CloudTrail).stsAssumeRoleResp, resources: (*CloudTrail).roleResources},
		{source: srcSTS, name: "GetCallerIdentity", weight: 800},

		// KMS.
		{source: srcKMS, name: "Decrypt", weight: 800, svcPct: 50, params: (*CloudTrail).kmsDecrypt, resources: (*CloudTrail).kmsResources},
		{source: srcKMS, name: "GenerateDataKey", weight: 250, svcPct: 50, params: (*CloudTrail).kmsGenerateDataKey, resources: (*CloudTrail).kmsResources},
		{source: srcKMS, name: "DescribeKey", weight: 100, params: (*CloudTrail).kmsKey, resources: (*CloudTrail).kmsResources},
		{security: true, source: srcKMS, name: "ScheduleKeyDeletion", weight: 3, write: true, params: (*CloudTrail).kmsScheduleDeletion,
			resp: (*CloudTrail).kmsScheduleDeletionResp, resources: (*CloudTrail).kmsResources},

		// IAM.
		{source: srcIAM, name: "GetUser", weight: 60, global: true, params: (*CloudTrail).iamUserName},
		{source: srcIAM, name: "ListUsers", weight: 150, global: true},
		{source: srcIAM, name: "ListRoles", weight: 100, global: true, params: (*CloudTrail).iamMaxItems},
		{source: srcIAM, name: "GetRole", weight: 150, global: true, svcPct: 10, params: (*CloudTrail).iamRoleName},
		{source: srcIAM, name: "ListAttachedRolePolicies", weight: 60, global: true, params: (*CloudTrail).iamRoleName},
		{source: srcIAM, name: "GetPolicy", weight: 40, global: true, params: (*CloudTrail).iamPolicyARN},
		{source: srcIAM, name: "ListAccessKeys", weight: 40, global: true, params: (*CloudTrail).iamUserName},
		{security: true, source: srcIAM, name: "CreateAccessKey", weight: 12, global: true, write: true, params: (*CloudTrail).iamUserName, resp: (*CloudTrail).iamCreateAccessKeyResp},
		{security: true, source: srcIAM, name: "CreateUser", weight: 8, global: true, write: true, params: (*CloudTrail).iamNewUser, resp: (*CloudTrail).iamCreateUserResp},
		{security: true, source: srcIAM, name: "AttachUserPolicy", weight: 10, global: true, write: true, params: (*CloudTrail).iamAttachUserPolicy},
		{security: true, source: srcIAM, name: "PutUserPolicy", weight: 6, global: true, write: true, params: (*CloudTrail).iamPutUserPolicy},
		{security: true, source: srcIAM, name: "CreateLoginProfile", weight: 5, global: true, write: true, params: (*CloudTrail).iamCreateLoginProfile, resp: (*CloudTrail).iamLoginProfileResp},
		{security: true, source: srcIAM, name: "UpdateAssumeRolePolicy", weight: 5, global: true, write: true, params: (*CloudTrail).iamUpdateAssumeRolePolicy},

		// CloudTrail.
		{source: srcTrail, name: "DescribeTrails", weight: 40, params: (*CloudTrail).trailDescribe},
		{source: srcTrail, name: "GetTrailStatus", weight: 40, svcPct: 20, params: (*CloudTrail).trailName},
		{source: srcTrail, name: "LookupEvents", weight: 30, params: (*CloudTrail).trailLookupEvents},
		{security: true, source: srcTrail, name: "StopLogging", weight: 3, write: true, params: (*CloudTrail).trailName, resources: (*CloudTrail).trailResources},
		{security: true, source: srcTrail, name: "DeleteTrail", weight: 2, write: true, params: (*CloudTrail).trailName, resources: (*CloudTrail).trailResources},

		// Lambda.
		{source: srcLambda, name: "ListFunctions20150331", weight: 50, apiVersion: "2015-03-31", params: (*CloudTrail).lambdaList},
		{source: srcLambda, name: "GetFunction20150331v2", weight: 40, apiVersion: "2015-03-31", params: (*CloudTrail).lambdaFunction},
		{source: srcLambda, name: "UpdateFunctionCode20150331v2", weight: 8, write: true, apiVersion: "2015-03-31",
			params: (*CloudTrail).lambdaUpdateCode, resp: (*CloudTrail).lambdaUpdateCodeResp},
		{source: srcLambda, name: "Invoke", weight: 150, data: true, write: true, svcPct: 40, params: (*CloudTrail).lambdaInvoke,
			additional: (*CloudTrail).lambdaInvokeAdditional, resources: (*CloudTrail).lambdaResources},

		// CloudWatch Logs and metrics.
		{source: srcLogs, name: "DescribeLogGroups", weight: 100, params: (*CloudTrail).logsDescribeGroups},
		{source: srcLogs, name: "DescribeLogStreams", weight: 150, params: (*CloudTrail).logsDescribeStreams},
		{source: srcLogs, name: "CreateLogStream", weight: 250, write: true, svcPct: 30, params: (*CloudTrail).logsCreateStream},
		{source: srcLogs, name: "FilterLogEvents", weight: 60, params: (*CloudTrail).logsFilter},
		{source: srcMetrics, name: "GetMetricData", weight: 200, params: (*CloudTrail).metricsGetData},
		{source: srcMetrics, name: "DescribeAlarms", weight: 80, params: (*CloudTrail).metricsDescribeAlarms},

		// DynamoDB, Secrets Manager, SSM.
		{source: srcDynamo, name: "DescribeTable", weight: 200, params: (*CloudTrail).dynamoTable},
		{source: srcDynamo, name: "ListTables", weight: 150},
		{source: srcSecrets, name: "GetSecretValue", weight: 250, params: (*CloudTrail).secretID},
		{source: srcSecrets, name: "DescribeSecret", weight: 40, params: (*CloudTrail).secretID},
		{source: srcSSM, name: "GetParameter", weight: 250, params: (*CloudTrail).ssmGetParameter},
		{source: srcSSM, name: "GetParameters", weight: 60, params: (*CloudTrail).ssmGetParameters},
		{source: srcSSM, name: "UpdateInstanceInformation", weight: 150, write: true, params: (*CloudTrail).ssmUpdateInstanceInformation},
		{security: true, source: srcSSM, name: "SendCommand", weight: 10, write: true, params: (*CloudTrail).ssmSendCommand, resp: (*CloudTrail).ssmSendCommandResp},

		// Console sign-in.
		{security: true, source: srcSignin, name: "ConsoleLogin", weight: 35, write: true, global: true, host: "signin.aws.amazon.com",
			resp: (*CloudTrail).consoleLoginResp, additional: (*CloudTrail).consoleLoginAdditional},

		// GuardDuty, ECR, ELB, RDS.
		{source: srcGuard, name: "ListDetectors", weight: 100},
		{security: true, source: srcGuard, name: "DeleteDetector", weight: 2, write: true, params: (*CloudTrail).guardDetector},
		{source: srcECR, name: "GetAuthorizationToken", weight: 300, svcPct: 30},
		{source: srcECR, name: "BatchGetImage", weight: 60, svcPct: 50, params: (*CloudTrail).ecrBatchGetImage},
		{source: srcELB, name: "DescribeLoadBalancers", weight: 40, apiVersion: "2015-12-01", params: (*CloudTrail).elbDescribe},
		{source: srcELB, name: "DescribeTargetHealth", weight: 40, apiVersion: "2015-12-01", params: (*CloudTrail).elbTargetHealth},
		{source: srcRDS, name: "DescribeDBInstances", weight: 40, params: (*CloudTrail).rdsDescribe},
	}
	for i := range calls {
		c := &calls[i]
		prefix := c.source[:strings.IndexByte(c.source, '.')]
		c.iamPrefix, c.cliService = prefix, prefix
		switch prefix {
		case "monitoring":
			c.iamPrefix, c.cliService = "cloudwatch", "cloudwatch"
		case "elasticloadbalancing":
			c.cliService = "elbv2"
		case "s3":
			c.cliService = "s3api"
		}
		switch prefix {
		case "iam":
			c.host = "iam.amazonaws.com"
		case "ecr":
			c.hostPrefix = "api.ecr"
		default:
			c.hostPrefix = prefix
		}
		c.action = strings.TrimRight(c.name, "0123456789v")
		c.cliCommand = kebab(c.action)
		c.version = "1.08"
		if c.data || r.IntN(3) > 0 {
			c.version = "1.09"
		}
	}
	return calls
}

// kebab turns "DescribeInstances" into "describe-instances".
func kebab(s string) string {
	var b strings.Builder
	for i, r := range s {
		if 'A' <= r && r <= 'Z' {
			if i > 0 {
				b.WriteByte('-')
			}
			r += 'a' - 'A'
		}
		b.WriteRune(r)
	}
	return b.String()
}

func (g *CloudTrail) pick(list []string) string { return list[g.rng.IntN(len(list))] }

// ---- EC2 ----

func (g *CloudTrail) ec2DescribeInstances(b []byte, _ *event) []byte {
	b = append(b, '{')
	if g.rng.IntN(3) == 0 {
		b = items(b, "instancesSet", "instanceId", g.pick(g.p.instances))
		b = kraw(b, "filterSet", "{}")
	} else {
		b = kraw(b, "instancesSet", "{}")
		switch g.rng.IntN(3) {
		case 0:
			b = filterSet(b, "instance-state-name", "running", "stopped")
		case 1:
			b = filterSet(b, "tag:Name", g.pick(purposes)+"-"+g.pick(envs))
		default:
			b = filterSet(b, "vpc-id", g.pick(g.p.vpcs))
		}
	}
	return append(b, '}')
}

func (g *CloudTrail) ec2DescribeSecurityGroups(b []byte, _ *event) []byte {
	b = kraw(append(b, '{'), "securityGroupSet", "{}")
	b = items(b, "securityGroupIdSet", "groupId", g.pick(g.p.groups), g.pick(g.p.groups))
	return append(kraw(b, "filterSet", "{}"), '}')
}

func (g *CloudTrail) ec2DescribeVpcs(b []byte, _ *event) []byte {
	b = append(b, '{')
	b = items(b, "vpcSet", "vpcId", g.pick(g.p.vpcs))
	return append(kraw(b, "filterSet", "{}"), '}')
}

func (g *CloudTrail) ec2DescribeSubnets(b []byte, _ *event) []byte {
	b = kraw(append(b, '{'), "subnetSet", "{}")
	return append(filterSet(b, "vpc-id", g.pick(g.p.vpcs)), '}')
}

func (g *CloudTrail) ec2DescribeVolumes(b []byte, _ *event) []byte {
	b = kraw(append(b, '{'), "volumeSet", "{}")
	return append(filterSet(b, "attachment.instance-id", g.pick(g.p.instances)), '}')
}

func (g *CloudTrail) ec2DescribeNetworkInterfaces(b []byte, _ *event) []byte {
	b = kraw(append(b, '{'), "networkInterfaceIdSet", "{}")
	return append(filterSet(b, "group-id", g.pick(g.p.groups)), '}')
}

func (g *CloudTrail) ec2DescribeImages(b []byte, _ *event) []byte {
	b = kraw(append(b, '{'), "executableBySet", "{}")
	b = items(b, "imagesSet", "imageId", g.pick(g.p.images))
	b = items(b, "ownersSet", "owner", "self")
	return append(kraw(b, "filterSet", "{}"), '}')
}

func (g *CloudTrail) ec2DescribeRegions(b []byte, _ *event) []byte {
	return append(kbool(kraw(append(b, '{'), "regionSet", "{}"), "allRegions", g.rng.IntN(2) == 0), '}')
}

func (g *CloudTrail) ec2DescribeAvailabilityZones(b []byte, _ *event) []byte {
	return append(kraw(kraw(append(b, '{'), "availabilityZoneSet", "{}"), "availabilityZoneIdSet", "{}"), '}')
}

func (g *CloudTrail) ec2DescribeTags(b []byte, _ *event) []byte {
	return append(filterSet(append(b, '{'), "resource-id", g.pick(g.p.instances)), '}')
}

func (g *CloudTrail) ec2Instances(b []byte, e *event) []byte {
	e.arn = g.pick(g.p.instances)
	return append(items(append(b, '{'), "instancesSet", "instanceId", e.arn), '}')
}

func (g *CloudTrail) ec2RunInstances(b []byte, e *event) []byte {
	e.arn = g.pick(g.p.images)
	b = append(kobj(append(b, '{'), "instancesSet"), `"items":[`...)
	b = kstr(eobj(b), "imageId", e.arn)
	b = append(b, `,"minCount":1,"maxCount":1}]}`...)
	b = kstr(b, "instanceType", g.pick([]string{"t3.micro", "t3.large", "m6i.xlarge", "c6g.2xlarge"}))
	b = kraw(b, "blockDeviceMapping", "{}")
	b = kraw(b, "monitoring", `{"enabled":false}`)
	b = kstr(b, "subnetId", g.pick(g.p.subnets))
	b = kbool(b, "disableApiTermination", false)
	b = kbool(b, "disableApiStop", false)
	b = key(b, "clientToken")
	b = g.appendUUID(b)
	return append(b, '}')
}

func (g *CloudTrail) ec2RunInstancesResp(b []byte, e *event) []byte {
	b = key(append(b, '{'), "requestId")
	b = g.appendUUID(b)
	b = kstr(b, "reservationId", "r-0"+g.hexString(16))
	b = kstr(b, "ownerId", e.account)
	b = kraw(b, "groupSet", "{}")
	b = append(kobj(b, "instancesSet"), `"items":[`...)
	b = kstr(eobj(b), "instanceId", "i-0"+g.hexString(16))
	b = kstr(b, "imageId", e.arn)
	b = kraw(b, "instanceState", `{"code":0,"name":"pending"}`)
	b = kstr(b, "privateDnsName", "ip-10-0-"+strconv.Itoa(g.rng.IntN(256))+"-"+strconv.Itoa(1+g.rng.IntN(254))+".ec2.internal")
	b = kint(b, "amiLaunchIndex", 0)
	b = kraw(b, "productCodes", "{}")
	b = kstr(b, "instanceType", "t3.micro")
	b = kint(b, "launchTime", g.now.Unix()*1000)
	b = kobj(b, "placement")
	b = kstr(b, "availabilityZone", e.region+"a")
	b = kstr(b, "tenancy", "default")
	b = append(b, '}')
	b = kraw(b, "monitoring", `{"state":"disabled"}`)
	b = kstr(b, "subnetId", g.pick(g.p.subnets))
	b = kstr(b, "vpcId", g.pick(g.p.vpcs))
	return append(b, `}]}}`...)
}

func (g *CloudTrail) ec2TerminateInstancesResp(b []byte, e *event) []byte {
	b = key(append(b, '{'), "requestId")
	b = g.appendUUID(b)
	b = append(kobj(b, "instancesSet"), `"items":[`...)
	b = kstr(eobj(b), "instanceId", e.arn)
	b = append(b, `,"currentState":{"code":32,"name":"shutting-down"},"previousState":{"code":16,"name":"running"}}]}}`...)
	return b
}

func (g *CloudTrail) ec2CreateTags(b []byte, _ *event) []byte {
	b = items(append(b, '{'), "resourcesSet", "resourceId", g.pick(g.p.instances))
	b = append(kobj(b, "tagSet"), `"items":[`...)
	b = kstr(kstr(eobj(b), "key", g.pick([]string{"Owner", "CostCenter", "Name", "Environment"})), "value", g.pick(purposes))
	return append(b, `}]}}`...)
}

func (g *CloudTrail) ec2Return(b []byte, _ *event) []byte {
	b = key(append(b, '{'), "requestId")
	b = g.appendUUID(b)
	return append(b, `,"_return":true}`...)
}

// ec2AuthorizeIngress writes the nested ipPermissions.items[].ipRanges.items[]
// shape that Sigma rules look into.
func (g *CloudTrail) ec2AuthorizeIngress(b []byte, e *event) []byte {
	e.arn = g.pick(g.p.groups)
	port := g.pick([]string{"22", "3389", "443", "5432", "6379"})
	b = kstr(append(b, '{'), "groupId", e.arn)
	b = append(kobj(b, "ipPermissions"), `"items":[`...)
	b = kstr(eobj(b), "ipProtocol", "tcp")
	b = append(append(append(b, `,"fromPort":`...), port...), `,"toPort":`...)
	b = append(b, port...)
	b = kraw(b, "groups", "{}")
	cidrs := []string{"0.0.0.0/0"}
	if g.rng.IntN(2) == 0 {
		cidrs = []string{strconv.Itoa(ipv4Prefixes[g.rng.IntN(len(ipv4Prefixes))]) + "." + strconv.Itoa(g.rng.IntN(256)) + "." +
			strconv.Itoa(g.rng.IntN(256)) + "." + strconv.Itoa(1+g.rng.IntN(254)) + "/32", "10.0.0.0/8"}
	}
	b = append(kobj(b, "ipRanges"), `"items":[`...)
	for _, c := range cidrs {
		b = kstr(eobj(b), "cidrIp", c)
		b = append(b, '}')
	}
	b = append(b, ']', '}')
	b = append(b, `,"ipv6Ranges":{},"prefixListIds":{}}]}}`...)
	return b
}

func (g *CloudTrail) ec2AuthorizeIngressResp(b []byte, e *event) []byte {
	b = key(append(b, '{'), "requestId")
	b = g.appendUUID(b)
	b = append(b, `,"_return":true`...)
	b = append(kobj(b, "securityGroupRuleSet"), `"items":[`...)
	b = kstr(eobj(b), "groupOwnerId", e.account)
	b = kstr(b, "groupId", e.arn)
	b = kstr(b, "securityGroupRuleId", "sgr-0"+g.hexString(16))
	b = append(b, `,"isEgress":false,"ipProtocol":"tcp"`...)
	return append(b, `}]}}`...)
}

func (g *CloudTrail) ec2CreateKeyPair(b []byte, e *event) []byte {
	e.arn = g.pick(g.p.userNames) + "-key"
	return append(kstr(append(b, '{'), "keyName", e.arn), '}')
}

func (g *CloudTrail) ec2CreateKeyPairResp(b []byte, e *event) []byte {
	b = key(append(b, '{'), "requestId")
	b = g.appendUUID(b)
	b = kstr(b, "keyName", e.arn)
	b = kstr(b, "keyFingerprint", g.fingerprint())
	b = kstr(b, "keyPairId", "key-0"+g.hexString(16))
	b = kstr(b, "keyMaterial", "<sensitiveDataRemoved>")
	return append(b, '}')
}

func (g *CloudTrail) fingerprint() string {
	var sb strings.Builder
	for i := range 20 {
		if i > 0 {
			sb.WriteByte(':')
		}
		x := g.rng.IntN(256)
		sb.WriteByte(hexDigits[x>>4])
		sb.WriteByte(hexDigits[x&0xf])
	}
	return sb.String()
}

func (g *CloudTrail) hexString(n int) string {
	var buf [32]byte
	for i := range n {
		buf[i] = hexDigits[g.rng.IntN(16)]
	}
	return string(buf[:n])
}

// ---- S3 ----

func (g *CloudTrail) s3Object(b []byte, e *event) []byte {
	e.bucket = g.pick(g.p.buckets)
	var key []byte
	key = append(key, g.pick(objectPrefixes)...)
	switch g.rng.IntN(20) {
	case 0:
		key = append(key, "Quarterly report (final) – résumé"...) // spaces and non-ASCII occur in real keys
	case 1:
		key = append(key, `odd "quoted" name\`...)
	default:
		key = append(key, g.hexString(8)...)
	}
	key = append(key, g.pick(objectExts)...)
	e.object = string(key)
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

// ---- STS ----

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

// ---- KMS ----

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

func (g *CloudTrail) uuidString() string {
	b := g.appendUUID(make([]byte, 0, 38))
	return string(b[1 : len(b)-1])
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

// ---- IAM ----

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

// ---- CloudTrail ----

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

// ---- Lambda ----

func (g *CloudTrail) lambdaList(b []byte, _ *event) []byte {
	if g.rng.IntN(2) == 0 {
		return append(b, "null"...)
	}
	return append(b, `{"functionVersion":"ALL","maxItems":50}`...)
}

func (g *CloudTrail) lambdaFunction(b []byte, _ *event) []byte {
	return append(kstr(append(b, '{'), "functionName", g.pick(g.p.functions)), '}')
}

func (g *CloudTrail) lambdaUpdateCode(b []byte, e *event) []byte {
	e.object = g.pick(g.p.functions)
	b = kstr(append(b, '{'), "functionName", e.object)
	b = append(b, `,"publish":false,"dryRun":false,"architectures":["x86_64"]`...)
	return append(b, '}')
}

func (g *CloudTrail) lambdaUpdateCodeResp(b []byte, e *event) []byte {
	b = kstr(append(b, '{'), "functionName", e.object)
	b = kstr(b, "functionArn", "arn:aws:lambda:"+e.region+":"+e.account+":function:"+e.object)
	b = kstr(b, "runtime", g.pick([]string{"python3.12", "nodejs20.x", "provided.al2023"}))
	b = kstr(b, "role", "arn:aws:iam::"+e.account+":role/service-role/"+e.object+"-role")
	b = kstr(b, "handler", "app.handler")
	b = kint(b, "codeSize", int64(1000+g.rng.IntN(5<<20)))
	b = kint(b, "timeout", 30)
	b = kint(b, "memorySize", 512)
	b = kstr(b, "version", "$LATEST")
	b = kstr(b, "state", "Active")
	return append(kstr(b, "lastUpdateStatus", "InProgress"), '}')
}

func (g *CloudTrail) lambdaInvoke(b []byte, e *event) []byte {
	e.arn = "arn:aws:lambda:" + e.region + ":" + e.account + ":function:" + g.pick(g.p.functions)
	b = kstr(append(b, '{'), "functionName", e.arn)
	b = kstr(b, "invocationType", g.pick([]string{"RequestResponse", "Event"}))
	return append(kstr(b, "logType", "None"), '}')
}

func (g *CloudTrail) lambdaInvokeAdditional(b []byte, _ *event) []byte {
	return kraw(b, "additionalEventData", `{"functionVersion":"$LATEST"}`)
}

func (g *CloudTrail) lambdaResources(b []byte, e *event) []byte {
	b = kstr(eobj(b), "accountId", e.account)
	b = kstr(b, "type", "AWS::Lambda::Function")
	return append(kstr(b, "ARN", e.arn), '}')
}

// ---- CloudWatch ----

func (g *CloudTrail) logsDescribeGroups(b []byte, _ *event) []byte {
	return append(kstr(append(b, '{'), "logGroupNamePrefix", g.pick([]string{"/aws/lambda/", "/ecs/", "/aws/eks/"})), '}')
}

func (g *CloudTrail) logsDescribeStreams(b []byte, _ *event) []byte {
	b = kstr(append(b, '{'), "logGroupName", g.pick(g.p.logGroups))
	return append(b, `,"orderBy":"LastEventTime","descending":true,"limit":50}`...)
}

func (g *CloudTrail) logsCreateStream(b []byte, _ *event) []byte {
	b = kstr(append(b, '{'), "logGroupName", g.pick(g.p.logGroups))
	b = append(key(b, "logStreamName"), '"')
	b = g.now.AppendFormat(b, "2006/01/02")
	b = append(b, "/[$LATEST]"...)
	b = append(b, g.hexString(32)...)
	return append(b, `"}`...)
}

func (g *CloudTrail) logsFilter(b []byte, _ *event) []byte {
	b = kstr(append(b, '{'), "logGroupName", g.pick(g.p.logGroups))
	b = kint(b, "startTime", g.now.Add(-time.Hour).UnixMilli())
	b = kint(b, "endTime", g.now.UnixMilli())
	b = kstr(b, "filterPattern", g.pick([]string{"ERROR", `"Task timed out"`, "{ $.level = \"error\" }"}))
	return append(kbool(b, "interleaved", true), '}')
}

func (g *CloudTrail) metricsGetData(b []byte, _ *event) []byte {
	b = append(b, `{"metricDataQueries":[{"id":"m1","metricStat":{"metric":{"namespace":"AWS/EC2","metricName":"CPUUtilization","dimensions":[{"name":"InstanceId","value":"`...)
	b = append(b, g.pick(g.p.instances)...)
	b = append(b, `"}]},"period":300,"stat":"Average"},"returnData":true}],"startTime":"`...)
	b = g.now.Add(-3*time.Hour).AppendFormat(b, "Jan 2, 2006, 3:04:05 PM")
	b = append(b, `","endTime":"`...)
	b = g.now.AppendFormat(b, "Jan 2, 2006, 3:04:05 PM")
	return append(b, `"}`...)
}

func (g *CloudTrail) metricsDescribeAlarms(b []byte, _ *event) []byte {
	if g.rng.IntN(2) == 0 {
		return append(b, `{"stateValue":"ALARM"}`...)
	}
	return append(b, `{"alarmNamePrefix":"`+g.pick(purposes)+`-"}`...)
}

// ---- DynamoDB, Secrets Manager, SSM ----

func (g *CloudTrail) dynamoTable(b []byte, _ *event) []byte {
	return append(kstr(append(b, '{'), "tableName", g.pick(g.p.tables)), '}')
}

func (g *CloudTrail) secretID(b []byte, e *event) []byte {
	id := g.pick(g.p.secrets)
	if g.rng.IntN(2) == 0 {
		id = "arn:aws:secretsmanager:" + e.region + ":" + e.account + ":secret:" + id
	}
	return append(kstr(append(b, '{'), "secretId", id), '}')
}

func (g *CloudTrail) ssmGetParameter(b []byte, _ *event) []byte {
	b = kstr(append(b, '{'), "name", g.pick(g.p.params))
	return append(kbool(b, "withDecryption", g.rng.IntN(2) == 0), '}')
}

func (g *CloudTrail) ssmGetParameters(b []byte, _ *event) []byte {
	b = karr(append(b, '{'), "names")
	b = estr(estr(b, g.pick(g.p.params)), g.pick(g.p.params))
	return append(kbool(append(b, ']'), "withDecryption", true), '}')
}

func (g *CloudTrail) ssmUpdateInstanceInformation(b []byte, e *event) []byte {
	ip := "10.0." + strconv.Itoa(g.rng.IntN(256)) + "." + strconv.Itoa(1+g.rng.IntN(254))
	b = kstr(append(b, '{'), "instanceId", g.pick(g.p.instances))
	b = kstr(b, "agentVersion", "3.3.380.0")
	b = kstr(b, "agentStatus", "Active")
	b = kstr(b, "platformType", "Linux")
	b = kstr(b, "platformName", "Amazon Linux")
	b = kstr(b, "platformVersion", "2023")
	b = kstr(b, "iPAddress", ip)
	b = kstr(b, "computerName", "ip-"+strings.ReplaceAll(ip, ".", "-")+".ec2.internal")
	b = kstr(b, "agentName", "amazon-ssm-agent")
	b = kstr(b, "availabilityZone", e.region+"a")
	return append(kstr(b, "sSMConnectionChannel", "ssmmessages"), '}')
}

func (g *CloudTrail) ssmSendCommand(b []byte, e *event) []byte {
	e.object = g.pick(g.p.instances)
	b = karr(append(b, '{'), "instanceIds")
	b = append(estr(b, e.object), ']')
	b = kstr(b, "documentName", g.pick([]string{"AWS-RunShellScript", "AWS-RunPowerShellScript"}))
	b = kstr(b, "parameters", "HIDDEN_DUE_TO_SECURITY_REASONS")
	return append(kbool(b, "interactive", false), '}')
}

func (g *CloudTrail) ssmSendCommandResp(b []byte, e *event) []byte {
	b = kobj(append(b, '{'), "command")
	b = key(b, "commandId")
	b = g.appendUUID(b)
	b = kstr(b, "documentName", "AWS-RunShellScript")
	b = append(estr(karr(b, "instanceIds"), e.object), ']')
	b = kstr(b, "status", "Pending")
	return append(kint(b, "targetCount", 1), '}', '}')
}

// ---- Sign-in ----

func (g *CloudTrail) consoleLoginResp(b []byte, e *event) []byte {
	if e.errMsg != "" {
		return append(b, `{"ConsoleLogin":"Failure"}`...)
	}
	return append(b, `{"ConsoleLogin":"Success"}`...)
}

func (g *CloudTrail) consoleLoginAdditional(b []byte, e *event) []byte {
	b = kobj(b, "additionalEventData")
	b = kstr(b, "LoginTo", "https://console.aws.amazon.com/console/home?hashArgs=%23&isauthcode=true&state=hashArgsFromTB_"+e.region+"_"+g.hexString(16))
	b = kstr(b, "MobileVersion", "No")
	used := "No"
	if e.id.mfa {
		used = "Yes"
		mfa := strings.Replace(e.id.arn, ":user/", ":mfa/", 1)
		if e.id.kind == kindRoot {
			mfa = "arn:aws:iam::" + e.id.account + ":mfa/root-account-mfa-device"
		}
		b = kstr(b, "MFAIdentifier", mfa)
	}
	return append(kstr(b, "MFAUsed", used), '}')
}

// ---- GuardDuty, ECR, ELB, RDS ----

func (g *CloudTrail) guardDetector(b []byte, _ *event) []byte {
	return append(kstr(append(b, '{'), "detectorId", g.p.detector), '}')
}

func (g *CloudTrail) ecrBatchGetImage(b []byte, e *event) []byte {
	b = kstr(append(b, '{'), "registryId", e.account)
	b = kstr(b, "repositoryName", g.pick(g.p.repos))
	b = append(karr(b, "imageIds"), `{"imageTag":"`...)
	b = append(b, g.pick([]string{"latest", "v1.4.2", "main-3f9c2d1"})...)
	b = append(b, `"}]`...)
	b = append(b, `,"acceptedMediaTypes":["application/vnd.docker.distribution.manifest.v2+json","application/vnd.oci.image.manifest.v1+json"]}`...)
	return b
}

func (g *CloudTrail) elbDescribe(b []byte, _ *event) []byte {
	if g.rng.IntN(2) == 0 {
		return append(b, "null"...)
	}
	return append(b, `{"pageSize":400}`...)
}

func (g *CloudTrail) elbTargetHealth(b []byte, e *event) []byte {
	tg := "arn:aws:elasticloadbalancing:" + e.region + ":" + e.account + ":targetgroup/" + g.pick(g.p.targetGrps)
	return append(kstr(append(b, '{'), "targetGroupArn", tg), '}')
}

func (g *CloudTrail) rdsDescribe(b []byte, _ *event) []byte {
	if g.rng.IntN(2) == 0 {
		return append(b, "null"...)
	}
	return append(kstr(append(b, '{'), "dBInstanceIdentifier", g.pick(g.p.dbs)), '}')
}
