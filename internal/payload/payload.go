// Package payload hashes request bodies and adds the SDK middleware that
// sends those hashes: a precomputed SHA-256 for SigV4 to sign, and the
// Content-MD5 header that some providers demand. It also makes the SDK's
// "Expect: 100-continue" hold the body back until the server agrees
// ([WaitForContinue]).
package payload

import (
	"context"
	"crypto/md5"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"hash"
	"io"

	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// Hashes holds what travels with a body so that the provider can check it.
type Hashes struct {
	// SHA256 is the hex SHA-256 that SigV4 signs.
	SHA256 string
	// MD5 is the base64 MD5 for Content-MD5, nil unless it was asked for.
	MD5 *string
}

// Hash hashes a seekable body in one pass and rewinds it. Each single PUT
// and each part is signed with its SHA-256, which every SigV4 server checks
// against what it receives, so data corrupted on the way is rejected;
// SHA-256 runs several times faster than MD5 where the CPU has SHA
// instructions. withMD5 adds Content-MD5 for providers or bucket policies
// that demand it.
func Hash(body io.ReadSeeker, withMD5 bool) (Hashes, error) {
	sh := sha256.New()
	var w io.Writer = sh
	var mh hash.Hash
	if withMD5 {
		mh = md5.New()
		w = io.MultiWriter(sh, mh)
	}
	if _, err := io.Copy(w, body); err != nil { // bodies implement WriterTo
		return Hashes{}, err
	}
	if _, err := body.Seek(0, io.SeekStart); err != nil {
		return Hashes{}, err
	}
	h := Hashes{SHA256: hex.EncodeToString(sh.Sum(nil))}
	if mh != nil {
		m := base64.StdEncoding.EncodeToString(mh.Sum(nil))
		h.MD5 = &m
	}
	return h, nil
}

// SignID is the ID of the middleware [Sign] adds, by which the direct
// request path (internal/direct) finds the sum in the option.
const SignID = "s3kitPayloadHash"

// Sign returns a per-call SDK option that signs the request with sum, a
// precomputed hex SHA-256 of the payload, instead of UNSIGNED-PAYLOAD (the
// SDK's choice over HTTPS) or a second hashing pass (its choice over HTTP).
func Sign(sum string) func(*s3.Options) {
	mw := middleware.FinalizeMiddlewareFunc(SignID, func(ctx context.Context, in middleware.FinalizeInput, next middleware.FinalizeHandler) (middleware.FinalizeOutput, middleware.Metadata, error) {
		return next.HandleFinalize(v4.SetPayloadHash(ctx, sum), in)
	})
	return s3.WithAPIOptions(func(st *middleware.Stack) error { return st.Finalize.Add(mw, middleware.Before) })
}

// WithContentMD5 is a per-call SDK option that adds the Content-MD5
// middleware (addContentMD5) to one call.
func WithContentMD5(o *s3.Options) {
	o.APIOptions = append(o.APIOptions, addContentMD5)
}

// addContentMD5 computes Content-MD5 of the serialised request body. The SDK
// sends only a CRC32 checksum on DeleteObjects; older MinIO, Oracle Cloud and
// other stores answer MissingContentMD5 without the MD5 (SDK issue 3258).
func addContentMD5(stack *middleware.Stack) error {
	return stack.Build.Add(middleware.BuildMiddlewareFunc("s3kitContentMD5",
		func(ctx context.Context, in middleware.BuildInput, next middleware.BuildHandler) (middleware.BuildOutput, middleware.Metadata, error) {
			req, ok := in.Request.(*smithyhttp.Request)
			if !ok || req.Header.Get("Content-MD5") != "" {
				return next.HandleBuild(ctx, in)
			}
			if s := req.GetStream(); s != nil {
				h := md5.New()
				if _, err := io.Copy(h, s); err != nil {
					return middleware.BuildOutput{}, middleware.Metadata{}, fmt.Errorf("s3kit: computing Content-MD5: %w", err)
				}
				if err := req.RewindStream(); err != nil {
					return middleware.BuildOutput{}, middleware.Metadata{}, fmt.Errorf("s3kit: computing Content-MD5: %w", err)
				}
				req.Header.Set("Content-MD5", base64.StdEncoding.EncodeToString(h.Sum(nil)))
			}
			return next.HandleBuild(ctx, in)
		}), middleware.After)
}
