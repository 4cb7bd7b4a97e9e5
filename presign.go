package s3kit

import (
	"context"
	"net/http"
	"time"

	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/s3kit/s3kit/internal/presign"
	"github.com/s3kit/s3kit/internal/s3err"
	"github.com/s3kit/s3kit/internal/transfer"
)

// MaxPresignTTL is the longest validity a SigV4 presigned URL can have.
const MaxPresignTTL = 7 * 24 * time.Hour

// Presigned is a request signed in advance: anyone holding it can send it
// until Expires, without credentials.
type Presigned struct {
	Method  string      // "GET" or "PUT"
	URL     string      // the signed URL
	Header  http.Header // headers the request must carry with these exact values (such as Content-Type); Host is left out
	Expires time.Time   // when servers stop accepting it: the URL's X-Amz-Date plus X-Amz-Expires, to the second
}

// PresignGet returns a URL that lets anyone download bucket/key with a plain
// GET for ttl, which must be at least one second and at most 7 days
// ([MaxPresignTTL]); otherwise it returns an error matching
// [ErrInvalidInput]. SigV4 counts whole seconds, so a fraction of a second
// is dropped (1.5s gives X-Amz-Expires=1), and [Presigned.Expires] is
// exactly the instant the URL stops working (TestPresignTTL). The URL is
// signed for the endpoint given by [WithPresignEndpoint] if any. The key is
// escaped as [Client.PublicURL] escapes it, so "." and ".." segments keep
// their place through clients that resolve them, such as curl
// (TestPresignDotSegments). No request is sent, so the object need not
// exist yet, and the only error is [ErrInvalidInput]: a ttl out of range, or
// a bad bucket name or key.
func (c *Client) PresignGet(ctx context.Context, bucket, key string, ttl time.Duration) (Presigned, error) {
	const op = "PresignGet"
	if err := c.checkPresign(op, bucket, key, ttl); err != nil {
		return Presigned{}, err
	}
	req, err := c.presign.PresignGetObject(ctx, &s3.GetObjectInput{Bucket: &bucket, Key: &key}, s3.WithPresignExpires(ttl.Truncate(time.Second)))
	if err != nil {
		return Presigned{}, wrapErr(op, bucket, key, s3err.Object, err)
	}
	return presigned(op, bucket, key, req)
}

// PresignPut returns a request that lets anyone upload bucket/key with one
// PUT for ttl (from one second to 7 days, in whole seconds, as for
// [Client.PresignGet]). [WithContentType], [WithCacheControl],
// [WithContentDisposition], [WithContentEncoding], [WithContentLanguage],
// [WithMetadata], [WithACL], [WithIfNoneMatch] and [WithIfMatch] are bound
// into the signature: the upload must send them as [Presigned.Header] lists
// them, and a server refuses an upload with another Content-Type (or any
// other of these values) or without the condition. A server that enforces the condition answers 412
// Precondition Failed when it does not hold. The other PutOptions ([WithSize],
// [WithProgress] and the TransferOptions) do nothing for a URL and are
// refused with [ErrInvalidInput] (TestMistakesUsersMake). A
// single PUT holds at most 5 GiB.
//
// No request is sent. Errors: [ErrInvalidInput] for a ttl out of range, a
// bad bucket name, key or option, or a condition the provider profile says
// would be ignored; [ErrACLNotSupported] for a public [WithACL] with a
// profile that has no object ACLs. What the upload itself runs into is the
// server's answer to that PUT.
func (c *Client) PresignPut(ctx context.Context, bucket, key string, ttl time.Duration, opts ...PutOption) (Presigned, error) {
	const op = "PresignPut"
	cfg := putConfig{size: -1, transfer: c.conf().transfer}
	for _, o := range opts {
		if o == nil {
			return Presigned{}, invalidf(op, bucket, key, "nil PutOption")
		}
		o.applyPut(&cfg)
	}
	if err := refuseUnused(op, bucket, key, cfg.given, 0); err != nil {
		return Presigned{}, err
	}
	if err := c.checkPresign(op, bucket, key, ttl); err != nil {
		return Presigned{}, err
	}
	if err := cfg.validate(op, bucket, key, http.NoBody, c.conf().relaxedNames); err != nil {
		return Presigned{}, err
	}
	if cfg.acl != "" && cfg.acl != ACLPrivate {
		if err := c.aclUnsupported(op, bucket, key); err != nil {
			return Presigned{}, err
		}
	}
	if err := c.checkConditional(op, bucket, key, cfg.cond, transfer.CondPut); err != nil {
		return Presigned{}, err
	}
	in := c.target(op, bucket, key).PresignPutInput(c.putSettings(&cfg))
	req, err := c.presign.PresignPutObject(ctx, in, s3.WithPresignExpires(ttl.Truncate(time.Second)), func(po *s3.PresignOptions) {
		if cfg.headers.ContentType != "" {
			po.ClientOptions = append(po.ClientOptions, func(o *s3.Options) {
				o.APIOptions = append(o.APIOptions, presign.ContentType(cfg.headers.ContentType))
			})
		}
	})
	if err != nil {
		return Presigned{}, wrapErr(op, bucket, key, s3err.Object, err)
	}
	return presigned(op, bucket, key, req)
}

// checkPresign validates the arguments common to both presign calls.
func (c *Client) checkPresign(op, bucket, key string, ttl time.Duration) error {
	if err := c.checkNames(op, bucket, key); err != nil {
		return err
	}
	if err := c.checkKeyLimit(op, bucket, key); err != nil {
		return err
	}
	if ttl < time.Second || ttl > MaxPresignTTL {
		return invalidf(op, bucket, key, "ttl %v out of range [1s, 7 days]: presigned URLs count whole seconds", ttl)
	}
	return nil
}

// presigned turns the SDK's request into a Presigned (presign.Signed).
func presigned(op, bucket, key string, req *v4.PresignedHTTPRequest) (Presigned, error) {
	u, h, expires, err := presign.Signed(req, bucket, key)
	if err != nil {
		return Presigned{}, wrapErr(op, bucket, key, s3err.Object, err)
	}
	return Presigned{Method: req.Method, URL: u, Header: h, Expires: expires}, nil
}
