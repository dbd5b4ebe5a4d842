package synth

import (
	"bufio"
	"fmt"
	"io"
	"math/rand/v2"
	"strings"
	"time"
)

// CloudTrail generates realistic CloudTrail records deterministically from a
// seed. It is not safe for concurrent use; use one generator per goroutine.
type CloudTrail struct {
	rng   *rand.Rand
	now   time.Time
	p     *pools
	calls []apiCall
	cum   []int // cum[i] is the total weight of calls[:i+1]
	ev    event // scratch for the record being written
}

// event is the state of the record being written.
type event struct {
	call     *apiCall
	id       *identity
	account  string
	region   string
	errCode  string
	errMsg   string
	ip       string // sourceIPAddress, when it is an address
	internal bool   // relayed by the console: "AWS Internal", no TLS details
	// Chosen by a requestParameters writer for the resources writer.
	bucket, object, arn string
}

// NewCloudTrail returns a generator whose output is fully determined by seed.
func NewCloudTrail(seed int64) *CloudTrail {
	rng := rand.New(rand.NewPCG(uint64(seed), 0x70696b6574)) // "picket"
	start := time.Date(2024, 6, 3, 8, 0, 0, 0, time.UTC)     // eventTime of every generator's first record
	g := &CloudTrail{rng: rng, now: start, p: newPools(rng), calls: catalog(rng)}
	total := 0
	for _, c := range g.calls {
		total += c.weight
		g.cum = append(g.cum, total)
	}
	return g
}

// Next appends one record as compact JSON (one object, no trailing newline)
// to dst and returns the extended slice.
func (g *CloudTrail) Next(dst []byte) []byte {
	g.now = g.now.Add(time.Duration(g.rng.IntN(1500)) * time.Millisecond)
	e := &g.ev
	*e = event{call: g.pickCall()}
	e.id = g.pickIdentity(e.call)
	e.account = e.id.account
	if e.id.kind == kindAWSService {
		e.account = g.p.accounts[g.rng.IntN(10)/8] // main account 80%, second 20%
	}
	switch {
	case e.call.global:
		e.region = "us-east-1"
	case e.id.region != "" && g.rng.IntN(100) < 85:
		e.region = e.id.region
	default:
		e.region = regions[g.rng.IntN(len(regions))]
	}
	g.pickError(e)
	return g.appendRecord(dst, e)
}

func (g *CloudTrail) pickCall() *apiCall {
	x := g.rng.IntN(g.cum[len(g.cum)-1])
	lo, hi := 0, len(g.cum)-1
	for lo < hi {
		mid := (lo + hi) / 2
		if g.cum[mid] > x {
			hi = mid
		} else {
			lo = mid + 1
		}
	}
	return &g.calls[lo]
}

func (g *CloudTrail) pickIdentity(c *apiCall) *identity {
	p := g.p
	if c.name == "ConsoleLogin" {
		if g.rng.IntN(100) < 6 {
			return p.roots[g.rng.IntN(len(p.roots))]
		}
		return p.users[g.rng.IntN(len(p.users))]
	}
	if c.svcPct > 0 && g.rng.IntN(100) < c.svcPct {
		return p.services[g.rng.IntN(len(p.services))]
	}
	if g.rng.IntN(1000) < 2 {
		return p.roots[g.rng.IntN(len(p.roots))]
	}
	pool := p.sessions
	if g.rng.IntN(100) < 65 {
		pool = p.iamUsers
	}
	// Skewed towards the front: a few principals make most calls.
	u := g.rng.Float64()
	return pool[int(u*u*float64(len(pool)))]
}

// pickError gives 3.6% of calls by principals an AccessDenied error and 0.5%
// a throttling error; AWS services make no failing calls here, so about 3%
// of all records are AccessDenied.
func (g *CloudTrail) pickError(e *event) {
	if e.id.kind == kindAWSService {
		return
	}
	if e.call.name == "ConsoleLogin" {
		if g.rng.IntN(100) < 8 {
			e.errMsg = "Failed authentication"
		}
		return
	}
	x := g.rng.IntN(1000)
	svc := e.call.iamPrefix
	switch {
	case x < 36:
		action := svc + ":" + e.call.action
		switch svc {
		case "ec2":
			e.errCode = "Client.UnauthorizedOperation"
			e.errMsg = "You are not authorized to perform this operation. User: " + e.id.arn +
				" is not authorized to perform: " + action + " because no identity-based policy allows the " + action + " action"
		case "s3":
			e.errCode, e.errMsg = "AccessDenied", "Access Denied"
		case "iam":
			e.errCode = "AccessDenied"
			e.errMsg = "User: " + e.id.arn + " is not authorized to perform: " + action + " on resource: arn:aws:iam::" +
				e.account + ":user/" + g.p.userNames[g.rng.IntN(len(g.p.userNames))] +
				" because no identity-based policy allows the " + action + " action"
		default:
			e.errCode = "AccessDeniedException"
			e.errMsg = "User: " + e.id.arn + " is not authorized to perform: " + action +
				" because no identity-based policy allows the " + action + " action"
		}
	case x < 41:
		if svc == "ec2" {
			e.errCode, e.errMsg = "Client.RequestLimitExceeded", "Request limit exceeded."
		} else {
			e.errCode, e.errMsg = "ThrottlingException", "Rate exceeded"
		}
	}
}

// appendRecord writes the record for e, field by field in the order of real
// CloudTrail records.
func (g *CloudTrail) appendRecord(b []byte, e *event) []byte {
	b = g.appendCaller(b, e)
	b = g.appendPayload(b, e)
	return g.appendTrailer(b, e)
}

// appendCaller writes eventVersion through userAgent.
func (g *CloudTrail) appendCaller(b []byte, e *event) []byte {
	c, id := e.call, e.id
	b = append(b, `{"eventVersion":"`...)
	b = append(b, c.version...)
	b = append(b, `","userIdentity":`...)
	switch {
	case c.name == "ConsoleLogin":
		b = append(b, id.login...)
	case len(id.post) > 0:
		b = append(b, id.pre...)
		created := g.now.Add(-time.Duration(g.rng.IntN(3600)) * time.Second)
		b = created.AppendFormat(b, time.RFC3339)
		b = append(b, id.post...)
	default:
		b = append(b, id.pre...)
	}
	b = append(b, `,"eventTime":"`...)
	b = g.now.AppendFormat(b, time.RFC3339)
	b = append(b, `","eventSource":"`...)
	b = append(b, c.source...)
	b = append(b, `","eventName":"`...)
	b = append(b, c.name...)
	b = append(b, `","awsRegion":"`...)
	b = append(b, e.region...)
	b = append(b, '"')
	if id.kind == kindAWSService {
		b = kstr(b, "sourceIPAddress", id.service)
		return kstr(b, "userAgent", id.service)
	}
	return g.appendClient(b, e)
}

// appendPayload writes errorCode through additionalEventData.
func (g *CloudTrail) appendPayload(b []byte, e *event) []byte {
	c := e.call
	if e.errCode != "" {
		b = kstr(b, "errorCode", e.errCode)
	}
	if e.errMsg != "" {
		b = kstr(b, "errorMessage", e.errMsg)
	}
	b = key(b, "requestParameters")
	if c.params == nil {
		b = append(b, "null"...)
	} else {
		b = c.params(g, b, e)
	}
	b = key(b, "responseElements")
	if c.resp == nil || e.errCode != "" {
		b = append(b, "null"...)
	} else {
		b = c.resp(g, b, e)
	}
	if c.additional != nil {
		b = c.additional(g, b, e)
	}
	return b
}

// appendTrailer writes requestID through the end of the record.
func (g *CloudTrail) appendTrailer(b []byte, e *event) []byte {
	c, id := e.call, e.id
	login := c.name == "ConsoleLogin"
	if !login {
		b = key(b, "requestID")
		b = g.appendRequestID(b, c)
	}
	b = key(b, "eventID")
	b = g.appendUUID(b)
	b = kbool(b, "readOnly", !c.write)
	if c.resources != nil {
		b = c.resources(g, karr(b, "resources"), e)
		b = append(b, ']')
	}
	if login {
		b = kstr(b, "eventType", "AwsConsoleSignIn")
	} else {
		b = kstr(b, "eventType", "AwsApiCall")
	}
	if c.apiVersion != "" {
		b = kstr(b, "apiVersion", c.apiVersion)
	}
	b = kbool(b, "managementEvent", !c.data)
	b = kstr(b, "recipientAccountId", e.account)
	if id.kind == kindAWSService && g.rng.IntN(3) == 0 {
		b = key(b, "sharedEventID")
		b = g.appendUUID(b)
	}
	if strings.HasPrefix(e.ip, "10.") { // private address: the call came through a VPC endpoint
		b = kstr(b, "vpcEndpointId", g.pick(g.p.endpoints))
		b = kstr(b, "vpcEndpointAccountId", e.account)
	}
	if c.data {
		b = kstr(b, "eventCategory", "Data")
	} else {
		b = kstr(b, "eventCategory", "Management")
	}
	if id.kind != kindAWSService && !e.internal {
		b = g.appendTLS(b, e)
	}
	if id.console && !login {
		b = kstr(b, "sessionCredentialFromConsole", "true")
	}
	return append(b, '}')
}

// appendClient writes sourceIPAddress and userAgent for a principal. Half of
// the API calls of console sessions are relayed by the console: they come
// from "AWS Internal" and carry no TLS details.
func (g *CloudTrail) appendClient(b []byte, e *event) []byte {
	id, c := e.id, e.call
	ua := id.ua
	if c.name == "ConsoleLogin" {
		ua = userAgent{kind: uaConsole}
	} else if ua.kind == uaConsole && g.rng.IntN(2) == 0 {
		e.internal = true
		b = kstr(b, "sourceIPAddress", "AWS Internal")
		return kstr(b, "userAgent", "AWS Internal")
	}
	e.ip = g.pick(g.p.ips)
	if len(id.ips) > 0 && g.rng.IntN(100) < 92 {
		e.ip = g.pick(id.ips)
	}
	b = kstr(b, "sourceIPAddress", e.ip)
	b = append(key(b, "userAgent"), '"')
	bracket := c.data && c.source == srcS3 // S3 data events show the agent in brackets
	if bracket {
		b = append(b, '[')
	}
	switch ua.kind {
	case uaConsole:
		b = append(b, g.pick(browsers)...)
	case uaCLI:
		b = appendEscaped(b, ua.prefix)
		b = append(b, c.cliService...)
		b = append(b, '.')
		b = append(b, c.cliCommand...)
	case uaTerraform:
		b = appendEscaped(b, ua.prefix)
		b = append(b, c.cliService...)
		b = append(b, "#1.15"...)
		b = append(b, '0'+byte(len(c.name)%10))
		b = append(b, ".0"...)
	default:
		b = appendEscaped(b, ua.prefix)
	}
	if bracket {
		b = append(b, ']')
	}
	return append(b, '"')
}

// browsers are the console user agents. They are read-only.
var browsers = []string{
	"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36",
	"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36 Edg/124.0.0.0",
	"Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0",
}

func (g *CloudTrail) appendTLS(b []byte, e *event) []byte {
	c := e.call
	b = kobj(b, "tlsDetails")
	if g.rng.IntN(10) < 7 {
		b = append(b, `"tlsVersion":"TLSv1.3","cipherSuite":"TLS_AES_128_GCM_SHA256"`...)
	} else {
		b = append(b, `"tlsVersion":"TLSv1.2","cipherSuite":"ECDHE-RSA-AES128-GCM-SHA256"`...)
	}
	b = append(b, `,"clientProvidedHostHeader":"`...)
	switch {
	case c.host != "":
		b = append(b, c.host...)
	case e.bucket != "":
		b = appendEscaped(b, e.bucket)
		b = append(b, ".s3."...)
		b = append(b, e.region...)
		b = append(b, ".amazonaws.com"...)
	default:
		b = append(b, c.hostPrefix...)
		b = append(b, '.')
		b = append(b, e.region...)
		b = append(b, ".amazonaws.com"...)
	}
	return append(b, '"', '}')
}

func (g *CloudTrail) appendRequestID(b []byte, c *apiCall) []byte {
	if c.source == srcS3 {
		b = append(b, '"')
		for range 16 {
			b = append(b, upperAlnum[g.rng.IntN(len(upperAlnum))])
		}
		return append(b, '"')
	}
	return g.appendUUID(b)
}

// appendUUID appends a quoted random version 4 UUID.
func (g *CloudTrail) appendUUID(b []byte) []byte {
	hi, lo := g.rng.Uint64(), g.rng.Uint64()
	hi = hi&^0xf000 | 0x4000           // version 4
	lo = lo&^(0xc000<<48) | 0x8000<<48 // RFC 4122 variant
	var u [36]byte
	j := 0
	for i := range 16 {
		if i == 4 || i == 6 || i == 8 || i == 10 {
			u[j] = '-'
			j++
		}
		var x byte
		if i < 8 {
			x = byte(hi >> (56 - 8*i))
		} else {
			x = byte(lo >> (56 - 8*(i-8)))
		}
		u[j], u[j+1] = hexDigits[x>>4], hexDigits[x&0xf]
		j += 2
	}
	b = append(b, '"')
	b = append(b, u[:]...)
	return append(b, '"')
}

// WriteJSONL writes n records to w, one per line.
func (g *CloudTrail) WriteJSONL(w io.Writer, n int) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	buf := make([]byte, 0, 4096)
	for range n {
		buf = append(g.Next(buf[:0]), '\n')
		if _, err := bw.Write(buf); err != nil {
			return fmt.Errorf("writing records: %w", err)
		}
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("writing records: %w", err)
	}
	return nil
}

// WriteRecordsFile writes n records to w as one CloudTrail log file,
// {"Records":[...]}, as delivered to S3 (before gzip).
func (g *CloudTrail) WriteRecordsFile(w io.Writer, n int) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	buf := make([]byte, 0, 4096)
	buf = append(buf, `{"Records":[`...)
	for i := range n {
		if i > 0 {
			buf = append(buf, ',')
		}
		buf = g.Next(buf)
		if _, err := bw.Write(buf); err != nil {
			return fmt.Errorf("writing records file: %w", err)
		}
		buf = buf[:0]
	}
	buf = append(buf, ']', '}')
	if _, err := bw.Write(buf); err != nil {
		return fmt.Errorf("writing records file: %w", err)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("writing records file: %w", err)
	}
	return nil
}
