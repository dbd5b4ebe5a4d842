package synth

import (
	"strconv"
	"strings"
)

// EC2 requestParameters and responseElements, in the query-API "items" shape.

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
