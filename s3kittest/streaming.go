package s3kittest

import (
	"bufio"
	"bytes"
	"crypto/hmac"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"hash"
	"hash/crc32"
	"hash/crc64"
	"io"
	"net/http"
	"strconv"
	"strings"
)

// WithStreamingUploads makes the server accept aws-chunked streaming
// uploads, whose x-amz-content-sha256 is STREAMING-AWS4-HMAC-SHA256-PAYLOAD
// (what minio-go sends over plain HTTP), STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER
// or STREAMING-UNSIGNED-PAYLOAD-TRAILER (what the AWS SDK sends over HTTPS
// with its default checksums), as AWS does. The server checks the seed
// signature, each chunk's signature, the chunk framing,
// x-amz-decoded-content-length and a trailing checksum, then stores the
// decoded bytes.
//
// It is off by default because Dell ECS, the store behind Cloud Temple,
// refuses every aws-chunked body, and Ceph RGW 16 refuses the SDK's
// trailing checksums over TLS: by default the server answers them with 400
// XAmzContentSHA256Mismatch, so that a client that would send them fails
// in tests as it would fail there. Turn it on to test a client against a
// store that accepts them.
func WithStreamingUploads() Option {
	return optionFunc(func(c *serverConfig) { c.streaming = true })
}

// Payload hash values of the aws-chunked variants.
const (
	streamingSigned          = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD"
	streamingSignedTrailer   = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER"
	streamingUnsignedTrailer = "STREAMING-UNSIGNED-PAYLOAD-TRAILER"
)

// s3Err is an S3 error answer.
type s3Err struct {
	status    int
	code, msg string
}

func (e *s3Err) Error() string { return e.code + ": " + e.msg }

// write answers r with e's S3 error document.
func (e *s3Err) write(w http.ResponseWriter, r *http.Request) {
	writeError(w, r, e.status, e.code, e.msg)
}

// acceptStreaming refuses an aws-chunked request, or, with
// [WithStreamingUploads], decodes its body in place. It reports whether the
// request may go on; if not, it has answered it.
func (s *Server) acceptStreaming(w http.ResponseWriter, r *http.Request) bool {
	mode := r.Header.Get("X-Amz-Content-Sha256")
	if !strings.HasPrefix(mode, "STREAMING-") && !strings.Contains(r.Header.Get("Content-Encoding"), "aws-chunked") {
		return true
	}
	err := &s3Err{http.StatusBadRequest, "XAmzContentSHA256Mismatch", "aws-chunked streaming payloads are not accepted (as on Dell ECS and Ceph RGW); see WithStreamingUploads"}
	if s.streaming {
		err = decodeStreaming(r, mode)
	}
	if err != nil {
		err.write(w, r)
		return false
	}
	return true
}

// decodeStreaming checks and decodes an aws-chunked body and rewrites r as
// a plain upload of the decoded bytes, with a trailing checksum moved to
// its header.
func decodeStreaming(r *http.Request, mode string) *s3Err {
	sig, want, err := streamingHeaders(r, mode)
	if err != nil {
		return err
	}
	d := newChunkDecoder(r.Body, sig, mode != streamingUnsignedTrailer)
	data, trailer, err := d.decode(mode != streamingSigned)
	if err != nil {
		return err
	}
	if int64(len(data)) != want {
		return &s3Err{http.StatusBadRequest, "IncompleteBody", "The request body's decoded length differs from x-amz-decoded-content-length"}
	}
	if err := applyTrailer(r, trailer, data); err != nil {
		return err
	}
	setPlainBody(r, data)
	return nil
}

// streamingHeaders checks the headers of an aws-chunked request: it must
// be signed with SigV4 in its Authorization header, whose seed signature it
// returns, mode must be one of the aws-chunked variants, and
// x-amz-decoded-content-length must give the decoded length, which it
// returns too.
func streamingHeaders(r *http.Request, mode string) (sigV4, int64, *s3Err) {
	sig, ok, err := parseSigV4(r)
	switch {
	case !ok || err != nil || sig.presigned:
		return sigV4{}, 0, &s3Err{http.StatusBadRequest, "XAmzContentSHA256Mismatch", "an aws-chunked body needs a SigV4 Authorization header"}
	case mode != streamingSigned && mode != streamingSignedTrailer && mode != streamingUnsignedTrailer:
		return sigV4{}, 0, &s3Err{http.StatusNotImplemented, "NotImplemented", "s3kittest does not implement x-amz-content-sha256: " + mode}
	}
	decodedLen := r.Header.Get("X-Amz-Decoded-Content-Length")
	if decodedLen == "" {
		return sigV4{}, 0, &s3Err{http.StatusLengthRequired, "MissingContentLength", "You must provide the x-amz-decoded-content-length HTTP header."}
	}
	want, perr := strconv.ParseInt(decodedLen, 10, 64)
	if perr != nil || want < 0 {
		return sigV4{}, 0, &s3Err{http.StatusBadRequest, "InvalidArgument", "bad x-amz-decoded-content-length"}
	}
	return sig, want, nil
}

// applyTrailer checks the trailing checksum that x-amz-trailer announces,
// if there is one, against data, and moves it to its header.
func applyTrailer(r *http.Request, trailer map[string]string, data []byte) *s3Err {
	name := strings.ToLower(r.Header.Get("X-Amz-Trailer"))
	if name == "" {
		return nil
	}
	v, ok := trailer[name]
	if !ok {
		return &s3Err{http.StatusBadRequest, "MalformedTrailerError", "The request body lacks the trailer " + name}
	}
	if e := checkChecksum(name, v, data); e != nil {
		return e
	}
	r.Header.Set(name, v)
	return nil
}

// setPlainBody rewrites r as a plain upload of data: data is its body, with
// its length and SHA-256 in the headers, and the aws-chunked headers and
// content coding are gone.
func setPlainBody(r *http.Request, data []byte) {
	r.Body = io.NopCloser(bytes.NewReader(data))
	r.ContentLength = int64(len(data))
	r.Header.Set("Content-Length", strconv.Itoa(len(data)))
	sum := sha256.Sum256(data)
	r.Header.Set("X-Amz-Content-Sha256", hex.EncodeToString(sum[:]))
	r.Header.Del("X-Amz-Decoded-Content-Length")
	r.Header.Del("X-Amz-Trailer")
	var enc []string
	for _, e := range strings.Split(r.Header.Get("Content-Encoding"), ",") {
		if e = strings.TrimSpace(e); e != "" && e != "aws-chunked" {
			enc = append(enc, e)
		}
	}
	if len(enc) == 0 {
		r.Header.Del("Content-Encoding")
	} else {
		r.Header.Set("Content-Encoding", strings.Join(enc, ","))
	}
}

// chunkDecoder reads an aws-chunked body:
//
//	hex-size[;chunk-signature=sig]\r\n data \r\n ... 0[;chunk-signature=sig]\r\n
//	[trailer-name:value\r\n ... [x-amz-trailer-signature:sig\r\n]] \r\n
type chunkDecoder struct {
	in     *bufio.Reader
	signed bool   // chunks carry signatures
	sig    sigV4  // the request's seed signature
	key    []byte // the signing key
	prev   string // the previous signature, seed first
}

// newChunkDecoder returns a decoder of body whose signature chain starts at
// sig's seed signature; if signed, each chunk and the trailer carry a
// signature, checked with the signing key of sig's scope and [SecretKey].
func newChunkDecoder(body io.Reader, sig sigV4, signed bool) *chunkDecoder {
	d := &chunkDecoder{in: bufio.NewReader(body), prev: sig.signature, sig: sig, signed: signed}
	if signed {
		d.key = []byte("AWS4" + SecretKey)
		for _, part := range strings.Split(sig.scope, "/") {
			d.key = hmacSum(d.key, part)
		}
	}
	return d
}

// maxChunkLine bounds a chunk header or trailer line.
const maxChunkLine = 4 << 10

// decode reads the whole body, checking its framing and signatures: the
// chunks, then the trailer, which only withTrailer allows, and nothing
// after it. It returns the chunks' data and the trailing headers.
func (d *chunkDecoder) decode(withTrailer bool) ([]byte, map[string]string, *s3Err) {
	data, err := d.chunks()
	if err != nil {
		return nil, nil, err
	}
	trailer, err := d.trailer(withTrailer)
	if err != nil {
		return nil, nil, err
	}
	if n, _ := d.in.Read(make([]byte, 1)); n != 0 {
		return nil, nil, framing("data after the final chunk")
	}
	return data, trailer, nil
}

// chunks reads the chunks up to the final, empty one, and returns their
// data.
func (d *chunkDecoder) chunks() ([]byte, *s3Err) {
	var out []byte
	for {
		chunk, err := d.chunk()
		if err != nil {
			return nil, err
		}
		if len(chunk) == 0 {
			return out, nil
		}
		out = append(out, chunk...)
		if crlf, err := d.line(); err != nil || crlf != "" {
			return nil, framing("chunk data not followed by CRLF")
		}
	}
}

// chunk reads one chunk's header and data, and checks the chunk's
// signature, or on an unsigned body that its header has no extension.
func (d *chunkDecoder) chunk() ([]byte, *s3Err) {
	line, err := d.line()
	if err != nil {
		return nil, err
	}
	sizeHex, ext, _ := strings.Cut(line, ";")
	size, perr := strconv.ParseInt(sizeHex, 16, 64)
	if perr != nil || size < 0 || size > 5<<30 {
		return nil, framing("bad chunk size %q", sizeHex)
	}
	chunk := make([]byte, size)
	if _, err := io.ReadFull(d.in, chunk); err != nil {
		return nil, framing("chunk shorter than its size")
	}
	if !d.signed {
		if ext != "" {
			return nil, framing("unexpected chunk extension %q", ext)
		}
		return chunk, nil
	}
	got, ok := strings.CutPrefix(ext, "chunk-signature=")
	if !ok {
		return nil, framing("chunk without chunk-signature")
	}
	sum := sha256.Sum256(chunk)
	if e := d.check("AWS4-HMAC-SHA256-PAYLOAD", got, emptySHA256, hex.EncodeToString(sum[:])); e != nil {
		return nil, e
	}
	return chunk, nil
}

// trailer reads the trailer lines up to the empty line that ends the body
// and returns the trailing headers by lower-case name; on a signed body it
// checks the trailer's signature. Without withTrailer, the body must have
// no trailer line.
func (d *chunkDecoder) trailer(withTrailer bool) (map[string]string, *s3Err) {
	trailer := map[string]string{}
	var canon strings.Builder
	var trailerSig string
	for {
		line, err := d.line()
		if err != nil {
			return nil, err
		}
		if line == "" {
			break
		}
		name, value, ok := strings.Cut(line, ":")
		name = strings.ToLower(strings.TrimSpace(name))
		if !ok || !withTrailer {
			return nil, framing("unexpected trailer %q", line)
		}
		if name == "x-amz-trailer-signature" {
			trailerSig = strings.TrimSpace(value)
			continue
		}
		trailer[name] = strings.TrimSpace(value)
		canon.WriteString(name + ":" + strings.TrimSpace(value) + "\n")
	}
	if d.signed && withTrailer {
		sum := sha256.Sum256([]byte(canon.String()))
		if e := d.check("AWS4-HMAC-SHA256-TRAILER", trailerSig, hex.EncodeToString(sum[:])); e != nil {
			return nil, e
		}
	}
	return trailer, nil
}

// emptySHA256 is the hex SHA-256 of nothing.
const emptySHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

// check verifies one signature of the chain that starts at the seed.
func (d *chunkDecoder) check(algorithm, got string, hashes ...string) *s3Err {
	toSign := strings.Join(append([]string{algorithm, d.sig.amzDate, d.sig.scope, d.prev}, hashes...), "\n")
	want := hex.EncodeToString(hmacSum(d.key, toSign))
	if !hmac.Equal([]byte(want), []byte(got)) {
		return &s3Err{http.StatusForbidden, "SignatureDoesNotMatch", "The chunk signature we calculated does not match the one you provided (" + algorithm + ")"}
	}
	d.prev = want
	return nil
}

// line reads one CRLF-terminated line, without the CRLF.
func (d *chunkDecoder) line() (string, *s3Err) {
	var b []byte
	for {
		part, more, err := d.in.ReadLine()
		if err != nil {
			return "", framing("truncated aws-chunked body")
		}
		b = append(b, part...)
		if len(b) > maxChunkLine {
			return "", framing("chunk header too long")
		}
		if !more {
			break
		}
	}
	// ReadLine accepts a bare LF too; aws-chunked wants CRLF, but the
	// difference is not worth a failure here.
	return string(b), nil
}

func framing(format string, args ...any) *s3Err {
	return &s3Err{http.StatusBadRequest, "IncompleteBody", "malformed aws-chunked body: " + fmt.Sprintf(format, args...)}
}

// checkChecksum compares a trailing x-amz-checksum-* value with data's.
// Algorithms it does not know pass unchecked.
func checkChecksum(name, value string, data []byte) *s3Err {
	var h hash.Hash
	switch strings.TrimPrefix(name, "x-amz-checksum-") {
	case "crc32":
		h = crc32.NewIEEE()
	case "crc32c":
		h = crc32.New(crc32.MakeTable(crc32.Castagnoli))
	case "crc64nvme":
		h = crc64.New(crc64.MakeTable(0x9a6c9329ac4bc9b5))
	case "sha1":
		h = sha1.New()
	case "sha256":
		h = sha256.New()
	default:
		return nil
	}
	h.Write(data)
	if base64.StdEncoding.EncodeToString(h.Sum(nil)) != value {
		algo := strings.ToUpper(strings.TrimPrefix(name, "x-amz-checksum-"))
		return &s3Err{http.StatusBadRequest, "BadDigest", "The " + algo + " you specified did not match the calculated checksum."}
	}
	return nil
}
