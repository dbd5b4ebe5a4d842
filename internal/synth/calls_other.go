package synth

import (
	"strconv"
	"strings"
	"time"
)

// Writers for the smaller services.

// Lambda.

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

// CloudWatch.

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

// DynamoDB, Secrets Manager, SSM.

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

// Sign-in.

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

// GuardDuty, ECR, ELB, RDS.

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
