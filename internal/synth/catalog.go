package synth

import (
	"math/rand/v2"
	"strings"
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
