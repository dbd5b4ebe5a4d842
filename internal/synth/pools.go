package synth

import (
	"fmt"
	"math/rand/v2"
	"strings"
)

// Word lists for names. They are read-only.
var (
	firstNames = []string{"alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi", "ivan", "judy",
		"mallory", "niaj", "olivia", "peggy", "rupert", "sybil", "trent", "victor", "walter", "yasmin"}
	lastNames = []string{"nguyen", "smith", "garcia", "mueller", "rossi", "kim", "okafor", "novak",
		"silva", "tanaka", "dubois", "jensen"}
	serviceUsers = []string{"svc-backup", "ci-deploy", "terraform", "jenkins", "grafana-reader",
		"datadog-integration", "s3-sync", "splunk-ingest", "vault-aws-engine", "legacy-app"}
	purposes = []string{"api", "web", "worker", "ingest", "billing", "auth", "search", "reports",
		"thumbnails", "etl", "notifier", "scheduler"}
	envs         = []string{"prod", "staging", "dev"}
	orgs         = []string{"acme", "globex", "initech", "umbrella", "hooli", "stark"}
	regions      = []string{"us-east-1", "us-east-1", "us-east-1", "us-east-2", "us-west-2", "us-west-2", "eu-west-1", "eu-central-1", "ap-southeast-2", "ap-northeast-1"}
	ipv4Prefixes = []int{3, 13, 18, 34, 35, 44, 52, 54, 63, 72, 81, 98, 104, 136, 146, 176, 185, 198, 203, 212}
	awsServices  = []string{"ec2.amazonaws.com", "lambda.amazonaws.com", "cloudtrail.amazonaws.com",
		"config.amazonaws.com", "autoscaling.amazonaws.com", "elasticloadbalancing.amazonaws.com",
		"ssm.amazonaws.com", "s3.amazonaws.com", "ecs-tasks.amazonaws.com", "eks.amazonaws.com"}
	objectPrefixes = []string{"logs/2024/06/03/", "data/raw/events/", "exports/daily/", "uploads/user-content/",
		"static/js/", "backups/db/", "reports/q2/", "models/v3/", "tmp/"}
	objectExts = []string{".json.gz", ".parquet", ".csv", ".js", ".png", ".pdf", ".tar.gz", ".txt"}
)

type idKind int

const (
	kindIAMUser idKind = iota
	kindAssumedRole
	kindAWSService
	kindRoot
)

// uaKind selects how a user agent's variable tail is written.
type uaKind int

const (
	uaFixed     uaKind = iota // the prefix is the whole user agent
	uaCLI                     // prefix + "<service>.<command>"
	uaTerraform               // prefix + "<service>#1.x"
	uaConsole                 // "AWS Internal" or a browser, per record
)

type userAgent struct {
	kind   uaKind
	prefix string
}

// identity is one principal of the pool. JSON fragments are rendered once:
// the userIdentity of an API call is pre + creationDate + post (post empty
// when there is no session context), and login is the ConsoleLogin form.
type identity struct {
	kind    idKind
	account string
	arn     string
	service string // AWSService: invokedBy
	region  string // home region
	console bool   // session credentials from the console
	mfa     bool
	ips     []string
	ua      userAgent
	pre     []byte
	post    []byte
	login   []byte
}

// pools holds everything a generator draws names and IDs from; built once
// per generator from its seed.
type pools struct {
	org        string
	accounts   []string    // accounts[0] is the main account
	iamUsers   []*identity // all IAM users
	sessions   []*identity // assumed-role sessions
	users      []*identity // IAM users that are people, for ConsoleLogin
	services   []*identity
	roots      []*identity
	ips        []string
	userNames  []string
	roleNames  []string
	buckets    []string
	instances  []string
	groups     []string
	vpcs       []string
	subnets    []string
	volumes    []string
	images     []string
	kmsKeys    []string
	functions  []string
	logGroups  []string
	secrets    []string
	params     []string
	tables     []string
	repos      []string
	trails     []string
	detector   string
	endpoints  []string // VPC endpoint IDs, for calls from 10.x addresses
	targetGrps []string
	dbs        []string
}

type idGen struct{ r *rand.Rand }

func (g idGen) chars(alphabet string, n int) string {
	var sb strings.Builder
	sb.Grow(n)
	for range n {
		sb.WriteByte(alphabet[g.r.IntN(len(alphabet))])
	}
	return sb.String()
}

const (
	upperAlnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	base32     = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
	alnum      = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
)

func (g idGen) hex(n int) string { return g.chars(hexDigits, n) }
func (g idGen) digits(n int) string {
	return g.chars("123456789", 1) + g.chars("0123456789", n-1)
}
func (g idGen) pick(list []string) string { return list[g.r.IntN(len(list))] }

func (g idGen) uuid() string {
	h := g.hex(32)
	return h[0:8] + "-" + h[8:12] + "-4" + h[13:16] + "-" + string("89ab"[g.r.IntN(4)]) + h[17:20] + "-" + h[20:32]
}

func (g idGen) ids(prefix string, n, hexLen int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = prefix + g.hex(hexLen)
	}
	return out
}

func newPools(r *rand.Rand) *pools {
	g := idGen{r}
	p := &pools{org: g.pick(orgs)}
	p.accounts = []string{g.digits(12), g.digits(12), g.digits(12)}
	p.ips = newIPs(g, 500)
	for _, f := range firstNames {
		for _, l := range lastNames[:3] {
			p.userNames = append(p.userNames, f+"."+l)
		}
	}
	r.Shuffle(len(p.userNames), func(i, j int) { p.userNames[i], p.userNames[j] = p.userNames[j], p.userNames[i] })
	p.userNames = append(p.userNames[:48], serviceUsers...)

	p.buckets = []string{
		"cdk-hnb659fds-assets-" + p.accounts[0] + "-us-east-1",
		"aws-cloudtrail-logs-" + p.accounts[0] + "-" + g.hex(8),
		p.org + "-terraform-state",
	}
	for _, pu := range purposes {
		for _, e := range envs[:2] {
			p.buckets = append(p.buckets, p.org+"-"+pu+"-"+e)
		}
	}
	p.instances = g.ids("i-0", 80, 16)
	p.groups = g.ids("sg-0", 30, 16)
	p.vpcs = g.ids("vpc-0", 5, 16)
	p.subnets = g.ids("subnet-0", 20, 16)
	p.volumes = g.ids("vol-0", 40, 16)
	p.images = g.ids("ami-0", 10, 16)
	for range 12 {
		p.kmsKeys = append(p.kmsKeys, g.uuid())
	}
	for _, pu := range purposes {
		fn := p.org + "-" + pu + "-" + g.pick(envs)
		p.functions = append(p.functions, fn)
		p.logGroups = append(p.logGroups, "/aws/lambda/"+fn, "/ecs/"+pu)
		p.tables = append(p.tables, pu+"-"+g.pick(envs[:2]))
		p.secrets = append(p.secrets, g.pick(envs)+"/"+pu+"/"+g.pick([]string{"db-password", "api-key", "oauth-client-secret"})+"-"+g.chars(alnum, 6))
		p.params = append(p.params, "/"+g.pick(envs)+"/"+pu+"/"+g.pick([]string{"db_host", "feature_flags", "endpoint", "log_level"}))
		p.repos = append(p.repos, p.org+"/"+pu)
	}
	p.logGroups = append(p.logGroups, "/aws/eks/prod/cluster", "vpc-flow-logs", "/aws/rds/instance/main/postgresql")
	p.trails = []string{"management-events", "org-trail", "data-events-s3"}
	p.detector = g.hex(32)
	p.endpoints = g.ids("vpce-0", 3, 16)
	for _, pu := range purposes[:6] {
		p.targetGrps = append(p.targetGrps, pu+"-tg/"+g.hex(16))
		p.dbs = append(p.dbs, pu+"-db-"+g.pick(envs[:2]))
	}
	p.buildIdentities(g)
	return p
}

func newIPs(g idGen, n int) []string {
	ips := make([]string, n)
	for i := range ips {
		switch x := g.r.IntN(100); {
		case x < 14:
			ips[i] = fmt.Sprintf("2600:1f%02x:%x:%x:%x:%x:%x:%x", g.r.IntN(32), g.r.IntN(0x10000),
				g.r.IntN(0x10000), g.r.IntN(0x10000), g.r.IntN(0x10000), g.r.IntN(0x10000), g.r.IntN(0x10000))
		case x < 19:
			ips[i] = fmt.Sprintf("10.%d.%d.%d", g.r.IntN(256), g.r.IntN(256), 1+g.r.IntN(254))
		default:
			ips[i] = fmt.Sprintf("%d.%d.%d.%d", ipv4Prefixes[g.r.IntN(len(ipv4Prefixes))], g.r.IntN(256), g.r.IntN(256), 1+g.r.IntN(254))
		}
	}
	return ips
}

// userAgents returns the user agent families that principals use.
func userAgents(g idGen) []userAgent {
	v := func(lo, hi int) int { return lo + g.r.IntN(hi-lo) }
	return []userAgent{
		{uaCLI, fmt.Sprintf("aws-cli/2.15.%d Python/3.11.8 Linux/5.15.0-1057-aws exe/x86_64.ubuntu.22 prompt/off command/", v(10, 40))},
		{uaCLI, fmt.Sprintf("aws-cli/2.13.%d Python/3.11.4 Darwin/23.4.0 exe/x86_64 prompt/off command/", v(10, 40))},
		{uaFixed, fmt.Sprintf("Boto3/1.34.%[1]d md/Botocore#1.34.%[1]d ua/2.0 os/linux#6.1.79 md/arch#x86_64 lang/python#3.12.2 cfg/retry-mode#legacy Botocore/1.34.%[1]d", v(50, 99))},
		{uaFixed, fmt.Sprintf("Boto3/1.28.%[1]d Python/3.9.16 Linux/4.14.255-318-256.530.amzn2.x86_64 exec-env/AWS_Lambda_python3.9 Botocore/1.31.%[1]d", v(10, 60))},
		{uaTerraform, fmt.Sprintf("APN/1.0 HashiCorp/1.0 Terraform/1.7.%d (+https://www.terraform.io) terraform-provider-aws/5.4%d.0 aws-sdk-go-v2/1.26.0 os/linux lang/go#1.22.1 api/", v(0, 6), v(0, 9))},
		{uaFixed, "aws-sdk-go-v2/1.25.3 os/linux lang/go#1.21.8 md/GOOS#linux md/GOARCH#amd64 api/sts#1.28.4"},
		{uaFixed, "aws-sdk-java/2.25.16 Linux/5.10.213-201.855.amzn2.x86_64 OpenJDK_64-Bit_Server_VM/17.0.10+7-LTS Java/17.0.10 io/sync http/Apache"},
		{uaFixed, "aws-sdk-nodejs/2.1592.0 linux/v18.19.1 exec-env/AWS_Lambda_nodejs18.x promise"},
		{uaFixed, "Datadog/AWS Integration (+https://docs.datadoghq.com/integrations/amazon_web_services/)"},
	}
}

// buildIdentities fills iamUsers (58), sessions (about 125 assumed-role
// sessions of 23 roles), users, services (10) and roots (3): about 200
// identities in all.
func (p *pools) buildIdentities(g idGen) {
	uas := userAgents(g)
	p.buildUsers(g, uas)
	p.buildSessions(g, uas)
	// pickIdentity favours low indexes: shuffle so that the most active
	// principals are a mix of kinds.
	g.r.Shuffle(len(p.iamUsers), func(i, j int) { p.iamUsers[i], p.iamUsers[j] = p.iamUsers[j], p.iamUsers[i] })
	g.r.Shuffle(len(p.sessions), func(i, j int) { p.sessions[i], p.sessions[j] = p.sessions[j], p.sessions[i] })
	p.buildOthers(g)
}

// homeIPs returns the n addresses a principal usually calls from.
func (p *pools) homeIPs(g idGen, n int) []string {
	ips := make([]string, n)
	for i := range ips {
		ips[i] = g.pick(p.ips)
	}
	return ips
}

// account returns the main account 80% of the time.
func (p *pools) account(g idGen) string {
	if g.r.IntN(10) < 8 {
		return p.accounts[0]
	}
	return p.accounts[1+g.r.IntN(2)]
}

// buildUsers makes the IAM users: people (CLI or console) and service users
// (SDKs).
func (p *pools) buildUsers(g idGen, uas []userAgent) {
	for i, name := range p.userNames {
		id := &identity{kind: kindIAMUser, account: p.account(g), region: g.pick(regions), ips: p.homeIPs(g, 1+g.r.IntN(3))}
		id.arn = "arn:aws:iam::" + id.account + ":user/" + name
		principalID := "AIDA" + g.chars(base32, 17)
		person := i < 48
		switch {
		case person && g.r.IntN(100) < 35:
			id.console, id.mfa, id.ua = true, g.r.IntN(5) > 0, userAgent{kind: uaConsole}
		case person:
			id.ua = uas[g.r.IntN(2)]
		default:
			id.ua = uas[2+g.r.IntN(len(uas)-2)]
		}
		if person {
			p.users = append(p.users, id)
		}
		accessKey := "AKIA" + g.chars(base32, 16)
		if id.console {
			accessKey = "ASIA" + g.chars(base32, 16)
		}
		var b []byte
		b = append(b, '{')
		b = kstr(b, "type", "IAMUser")
		b = kstr(b, "principalId", principalID)
		b = kstr(b, "arn", id.arn)
		b = kstr(b, "accountId", id.account)
		login := kstr(append([]byte(nil), b...), "userName", name)
		id.login = append(login, '}')
		b = kstr(b, "accessKeyId", accessKey)
		b = kstr(b, "userName", name)
		if id.console {
			b = append(b, `,"sessionContext":{"sessionIssuer":{},"webIdFederationData":{},"attributes":{"creationDate":"`...)
			id.pre = b
			id.post = fmt.Appendf(nil, `","mfaAuthenticated":"%t"}}}`, id.mfa)
		} else {
			id.pre = append(b, '}')
		}
		p.iamUsers = append(p.iamUsers, id)
	}
}

// buildSessions makes roles and assumed-role sessions of each.
func (p *pools) buildSessions(g idGen, uas []userAgent) {
	type role struct {
		name, path string
		session    func() string
		ua         func() userAgent
		console    bool
	}
	sso := func(set string) role {
		return role{
			name: "AWSReservedSSO_" + set + "_" + g.hex(16), path: "/aws-reserved/sso.amazonaws.com/",
			session: func() string { return g.pick(firstNames) + "." + g.pick(lastNames) + "@" + p.org + ".com" },
			ua:      func() userAgent { return userAgent{kind: uaConsole} }, console: true,
		}
	}
	sdk := func() userAgent { return uas[2+g.r.IntN(len(uas)-2)] }
	roles := []role{
		sso("AdministratorAccess"), sso("ReadOnlyAccess"), sso("PowerUserAccess"), sso("SecurityAudit"),
		{name: "OrganizationAccountAccessRole", path: "/", session: func() string { return g.pick(firstNames) }, ua: func() userAgent { return uas[g.r.IntN(2)] }},
		{name: "github-actions-deploy", path: "/", session: func() string { return "GitHubActions" }, ua: func() userAgent { return uas[4] }},
		{name: "terraform-apply", path: "/", session: func() string { return "terraform-" + g.digits(10) }, ua: func() userAgent { return uas[4] }},
		{name: "eks-prod-NodeInstanceRole", path: "/", session: func() string { return "i-0" + g.hex(16) }, ua: sdk},
		{name: "ecsTaskExecutionRole", path: "/", session: func() string { return g.hex(32) }, ua: sdk},
		{name: "datadog-integration-role", path: "/", session: func() string { return "DatadogAWSIntegration" }, ua: func() userAgent { return uas[8] }},
		{name: "SecurityScanner", path: "/", session: func() string { return "botocore-session-" + g.digits(10) }, ua: func() userAgent { return uas[2] }},
	}
	for _, fn := range p.functions {
		name := fn + "-role"
		roles = append(roles, role{name: name, path: "/service-role/", session: func() string { return fn }, ua: func() userAgent { return uas[[]int{3, 7}[g.r.IntN(2)]] }})
	}
	for _, r := range roles {
		p.roleNames = append(p.roleNames, r.name)
		roleID := "AROA" + g.chars(base32, 17)
		acct := p.account(g)
		issuer := "arn:aws:iam::" + acct + ":role" + r.path + r.name
		for range 4 + g.r.IntN(4) {
			session := r.session()
			id := &identity{kind: kindAssumedRole, account: acct, region: g.pick(regions), console: r.console,
				mfa: r.console && g.r.IntN(3) > 0, ua: r.ua(), ips: p.homeIPs(g, 1+g.r.IntN(2))}
			id.arn = "arn:aws:sts::" + acct + ":assumed-role/" + r.name + "/" + session
			var b []byte
			b = append(b, '{')
			b = kstr(b, "type", "AssumedRole")
			b = kstr(b, "principalId", roleID+":"+session)
			b = kstr(b, "arn", id.arn)
			b = kstr(b, "accountId", acct)
			b = kstr(b, "accessKeyId", "ASIA"+g.chars(base32, 16))
			b = append(kobj(b, "sessionContext"), `"sessionIssuer":{`...)
			b = kstr(b, "type", "Role")
			b = kstr(b, "principalId", roleID)
			b = kstr(b, "arn", issuer)
			b = kstr(b, "accountId", acct)
			b = kstr(b, "userName", r.name)
			b = append(b, `},"webIdFederationData":{},"attributes":{"creationDate":"`...)
			id.pre = b
			id.post = fmt.Appendf(nil, `","mfaAuthenticated":"%t"}}}`, id.mfa)
			p.sessions = append(p.sessions, id)
		}
	}
}

// buildOthers makes the AWS service identities and each account's root.
func (p *pools) buildOthers(g idGen) {
	for _, svc := range awsServices {
		id := &identity{kind: kindAWSService, service: svc, account: p.accounts[0]}
		id.pre = fmt.Appendf(nil, `{"type":"AWSService","invokedBy":"%s"}`, svc)
		p.services = append(p.services, id)
	}
	for _, acct := range p.accounts {
		id := &identity{kind: kindRoot, account: acct, region: "us-east-1", console: true, mfa: true,
			ua: userAgent{kind: uaConsole}, ips: p.homeIPs(g, 1)}
		id.arn = "arn:aws:iam::" + acct + ":root"
		base := fmt.Sprintf(`{"type":"Root","principalId":"%s","arn":"%s","accountId":"%s"`, acct, id.arn, acct)
		id.login = []byte(base + "}")
		id.pre = fmt.Appendf(nil, `%s,"accessKeyId":"ASIA%s","sessionContext":{"sessionIssuer":{},"webIdFederationData":{},"attributes":{"creationDate":"`, base, g.chars(base32, 16))
		id.post = []byte(`","mfaAuthenticated":"true"}}}`)
		p.roots = append(p.roots, id)
	}
}
