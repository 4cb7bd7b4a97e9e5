// Package doctor runs the probes behind s3kit's Client.Doctor: it checks an
// endpoint and a scratch bucket for what s3kit relies on (reachability,
// clock skew, credentials, addressing, listing, checksums, Content-MD5 on
// DeleteObjects, object ACLs, conditional writes, lifecycle rules) and
// deletes the objects it wrote.
//
// The package cannot import the root package. It reads the client's
// settings from [Config], which the root package builds in one function,
// makes the client's errors through the callbacks there, and returns what
// it found as a [Result], which the root package turns into its public
// Report.
package doctor

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"

	"github.com/s3kit/s3kit/internal/s3err"
	"github.com/s3kit/s3kit/internal/transfer"
)

// timeout bounds each probe, and the cleanup at the end.
const timeout = 30 * time.Second

// Status is the outcome of one check.
type Status int

// The outcomes of a check.
const (
	OK      Status = iota // works as s3kit expects
	Info                  // a fact about the provider that s3kit handles
	Warning               // works, but needs an option or care
	Failed                // does not work
	Skipped               // not checked, because an earlier check failed or it does not apply

	NumStatuses = int(Skipped) + 1 // how many statuses there are
)

// Check identifies one check; the root package names them.
type Check int

// The checks, in no particular order.
const (
	Reachability Check = iota
	Clock
	Auth
	PathStyle
	VirtualHost
	ListV2
	Checksums
	DeleteMD5
	ACLs
	Anonymous
	Cleanup
	Conditional
	Lifecycle

	NumChecks = int(Lifecycle) + 1 // how many checks there are
)

// Finding is the result of one check.
type Finding struct {
	Check  Check
	Status Status
	Detail string // what was seen
}

// Result is what [Run] found out. Its fields mean what the fields of the
// same name in the root package's Report mean; a boolean is valid only when
// the matching finding is not skipped.
type Result struct {
	Findings    []Finding
	Suggestions []string // options for the client, as Go code

	Reachable                bool
	ClockSkew                time.Duration
	Authenticated            bool
	PathStyle                bool
	VirtualHost              bool
	ListV2                   bool
	StreamingChecksumsTested bool
	StreamingChecksums       bool
	DeleteNeedsMD5           bool
	ObjectACLs               bool
	AnonymousPublicRead      bool
	CleanedUp                bool
	ConditionalPut           bool
	ConditionalMultipart     bool
	ConditionalCopy          bool
	AbortsIncompleteUploads  bool
}

// Config is what the doctor needs to know about the client it probes with.
type Config struct {
	S3        *s3.Client // the client's SDK client, with all its settings
	Bucket    string     // the scratch bucket, already checked
	Endpoint  *url.URL   // nil means AWS S3 for Region
	Region    string
	PathStyle bool // the client uses path-style addressing
	// PathStyleIsDefault is set when PathStyle is what New chooses for
	// this endpoint without WithPathStyle, so suggesting it adds nothing.
	PathStyleIsDefault bool
	SigV2              bool // the client signs with SigV2

	// NoObjectACLs is set when the client's provider profile refuses ACL
	// calls up front.
	NoObjectACLs bool
	// CondIgnored are the requests on which the client's provider profile
	// says the server ignores If-None-Match and If-Match.
	CondIgnored transfer.CondWrites

	// PublicURL returns the URL at which an object can be fetched without
	// credentials.
	PublicURL func(bucket, key string) string
	// Wrap returns err, from a request of kind k on key in Bucket ("" for
	// the bucket itself), as the client's own error; it returns nil for nil.
	Wrap func(key string, k s3err.Kind, err error) error
	// Is reports whether err, an error from Wrap, is of category c.
	Is func(err error, c s3err.Category) bool
}

// Base returns the endpoint URL the client talks to.
func (c *Config) Base() string {
	if c.Endpoint != nil {
		return c.Endpoint.String()
	}
	return "https://s3." + c.Region + ".amazonaws.com"
}

// Run probes cfg.Bucket: every check, then the deletion of every object it
// wrote, which runs even when ctx is cancelled (it gets its own timeout).
// Each probe has a 30-second timeout.
func Run(ctx context.Context, cfg Config) Result {
	d := &doctor{cfg: &cfg, bucket: cfg.Bucket, prefix: ".s3kit-doctor/" + randomHex(6) + "/"}
	d.run(ctx)
	d.cleanup(ctx)
	return d.r
}

type doctor struct {
	cfg     *Config
	bucket  string
	prefix  string
	r       Result
	written []string
}

func (d *doctor) add(check Check, s Status, format string, args ...any) {
	d.r.Findings = append(d.r.Findings, Finding{Check: check, Status: s, Detail: fmt.Sprintf(format, args...)})
}

func (d *doctor) suggest(opt string) {
	for _, s := range d.r.Suggestions {
		if s == opt {
			return
		}
	}
	d.r.Suggestions = append(d.r.Suggestions, opt)
}

// is reports whether err, from a request of kind k on key, is of category
// c, as the client sees it.
func (d *doctor) is(key string, k s3err.Kind, err error, c s3err.Category) bool {
	return d.cfg.Is(d.cfg.Wrap(key, k, err), c)
}

func (d *doctor) run(ctx context.Context) {
	if !d.reach(ctx) || !d.auth(ctx) {
		for _, check := range []Check{PathStyle, VirtualHost, ListV2, Checksums, DeleteMD5, ACLs, Anonymous, Conditional, Lifecycle} {
			d.add(check, Skipped, "skipped")
		}
		return
	}
	d.addressing(ctx)
	d.listV2(ctx)
	d.checksums(ctx)
	d.deleteMD5(ctx)
	d.acls(ctx)
	d.conditional(ctx)
	d.lifecycle(ctx)
}

// shortErr is the S3 error code if there is one, else the error text.
func shortErr(err error) string {
	var api smithy.APIError
	if errors.As(err, &api) && api.ErrorCode() != "" {
		return api.ErrorCode()
	}
	return err.Error()
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
