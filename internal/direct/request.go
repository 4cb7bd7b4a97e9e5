package direct

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/smithy-go/encoding/httpbinding"
	smithyrand "github.com/aws/smithy-go/rand"

	"github.com/s3kit/s3kit/internal/retry"
	"github.com/s3kit/s3kit/internal/sigv2"
)

// emptySHA256 is the hex SHA-256 of an empty payload, which the SDK signs
// for a request without a body.
const emptySHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

// call is what one call's requests share.
type call struct {
	method, bucket, key string
	query               string          // encoded, without '?'; "" for none
	invocation          string          // amz-sdk-invocation-id, the same on every attempt
	payload             string          // hex SHA-256 of the body; "" for none
	length              int64           // the body's length, which SigV4 signs
	skew                time.Duration   // the clock's correction for the next attempt
	seen                skew            // what the last attempt's answer showed of the clock
	creds               aws.Credentials // what the last attempt was signed with, for its replay
	header              func(http.Header)
	attempt             *retry.Call // the bookkeeping of the call's attempts
}

// errExpress is newCall's refusal of a bucket the SDK treats as an S3
// Express directory bucket.
var errExpress = errors.New("an S3 Express bucket name: the SDK's path")

// newCall starts the description of one call's requests. It refuses a
// bucket whose name ends as an S3 Express directory bucket's ("--x-s3",
// "--xa-s3"): the SDK's endpoint rules send those through an S3 Express
// session (a CreateSession request, then its credentials and signing
// name), which the direct path does not carry, so such calls go to the
// SDK whole.
func newCall(method, bucket, key string) (*call, error) {
	if strings.HasSuffix(bucket, "--x-s3") || strings.HasSuffix(bucket, "--xa-s3") {
		return nil, errExpress
	}
	id, err := smithyrand.NewUUID(rand.Reader).GetUUID()
	if err != nil {
		return nil, err
	}
	return &call{method: method, bucket: bucket, key: key, invocation: id}, nil
}

// request builds and signs attempt n of at most max of cl, with the headers
// the SDK's stack sets for it: the invocation ID and attempt count, the
// payload hash, and Accept-Encoding: identity, so that no transport
// decompresses a body whose length and MD5 s3kit checks.
func (c *Client) request(ctx context.Context, cl *call, n, max int) (*http.Request, error) {
	u := *c.base
	escaped := u.Path + "/" + httpbinding.EscapePath(cl.bucket, true)
	path := u.Path + "/" + cl.bucket
	if cl.key != "" {
		escaped += "/" + httpbinding.EscapePath(cl.key, false)
		path += "/" + cl.key
	}
	u.Path, u.RawPath, u.RawQuery = path, escaped, cl.query
	req, err := http.NewRequestWithContext(ctx, cl.method, u.String(), nil)
	if err != nil {
		return nil, err
	}
	req.ContentLength = cl.length
	h := req.Header
	h["User-Agent"] = []string{c.ua}
	h["Amz-Sdk-Invocation-Id"] = []string{cl.invocation}
	h["Amz-Sdk-Request"] = []string{"attempt=" + strconv.Itoa(n) + "; max=" + strconv.Itoa(max)}
	h["Accept-Encoding"] = []string{"identity"}
	sum := cl.payload
	if sum == "" {
		sum = emptySHA256
	}
	h["X-Amz-Content-Sha256"] = []string{sum}
	if cl.header != nil {
		cl.header(h)
	}
	creds, err := c.sign(ctx, req, sum, cl.skew)
	if err != nil {
		return nil, err
	}
	cl.creds = creds
	return req, nil
}

// sign signs req with the client's credentials, as of now corrected by
// skew: SigV4 with the SDK's signer and the options of the S3 client, or
// SigV2. It returns the credentials it signed with. A failure to get them
// reads as the SDK's stack words it (its GetIdentity step and the adapter of
// a credentials provider), and is the attempt's error, as there.
func (c *Client) sign(ctx context.Context, req *http.Request, sum string, skew time.Duration) (aws.Credentials, error) {
	creds, err := c.creds.Retrieve(ctx)
	if err != nil {
		return creds, fmt.Errorf("get identity: get credentials: %w", err)
	}
	if c.sigV2 {
		sigv2.Sign(req, creds, time.Now()) // the SigV2 middleware does not correct the clock either
		return creds, nil
	}
	return creds, c.signer.SignHTTP(ctx, creds, req, sum, "s3", c.region, time.Now().Add(skew))
}
