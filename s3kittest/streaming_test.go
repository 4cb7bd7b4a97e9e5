package s3kittest_test

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"hash/crc32"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/s3kit/s3kit"
	"github.com/s3kit/s3kit/s3kittest"
)

// streamingPut builds a PutObject whose body is aws-chunked and signed chunk
// by chunk with the SDK's own signers (x-amz-content-sha256
// STREAMING-AWS4-HMAC-SHA256-PAYLOAD, as minio-go sends it over HTTP).
// tamper, if set, changes the encoded body after signing.
func streamingPut(t *testing.T, srvURL, key string, chunks []string, decodedLen int, tamper func([]byte) []byte) *http.Request {
	t.Helper()
	const mode = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD"
	chunks = append(chunks, "") // the final, empty chunk
	var encodedLen int
	for _, c := range chunks {
		encodedLen += len(fmt.Sprintf("%x;chunk-signature=", len(c))) + 64 + 2 + len(c) + 2
	}
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPut, srvURL+"/bkt/"+key, nil)
	require.NoError(t, err)
	req.ContentLength = int64(encodedLen)
	req.Header.Set("Content-Encoding", "aws-chunked")
	req.Header.Set("X-Amz-Content-Sha256", mode)
	req.Header.Set("X-Amz-Decoded-Content-Length", fmt.Sprint(decodedLen))
	creds := aws.Credentials{AccessKeyID: s3kittest.AccessKey, SecretAccessKey: s3kittest.SecretKey}
	now := time.Now()
	require.NoError(t, v4.NewSigner().SignHTTP(t.Context(), creds, req, mode, "s3", s3kittest.Region, now))
	_, seedHex, ok := strings.Cut(req.Header.Get("Authorization"), "Signature=")
	require.True(t, ok)
	seed, err := hex.DecodeString(seedHex)
	require.NoError(t, err)

	signer := v4.NewStreamSigner(creds, "s3", s3kittest.Region, seed)
	var body bytes.Buffer
	for _, c := range chunks {
		sig, err := signer.GetSignature(t.Context(), nil, []byte(c), now)
		require.NoError(t, err)
		fmt.Fprintf(&body, "%x;chunk-signature=%x\r\n%s\r\n", len(c), sig, c)
	}
	require.Equal(t, encodedLen, body.Len())
	b := body.Bytes()
	if tamper != nil {
		b = tamper(b)
	}
	req.Body = io.NopCloser(bytes.NewReader(b))
	return req
}

// do sends req and returns the status and body.
func do(t *testing.T, hc *http.Client, req *http.Request) (int, string) {
	t.Helper()
	resp, err := hc.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, string(b)
}

// getBody reads an object through the server's s3kit client.
func getBody(t *testing.T, c *s3kit.Client, key string) string {
	t.Helper()
	r, err := c.Get(t.Context(), "bkt", key)
	require.NoError(t, err)
	defer r.Close()
	b, err := io.ReadAll(r)
	require.NoError(t, err)
	return string(b)
}

func TestStreamingUploadRefusedByDefault(t *testing.T) {
	srv := s3kittest.NewServer(t)
	srv.CreateBucket(t, "bkt")
	status, body := do(t, srv.HTTPClient(), streamingPut(t, srv.URL, "k", []string{"hello"}, 5, nil))
	assert.Equal(t, http.StatusBadRequest, status)
	assert.Contains(t, body, "XAmzContentSHA256Mismatch")
}

func TestStreamingUpload(t *testing.T) {
	srv := s3kittest.NewServer(t, s3kittest.WithStreamingUploads())
	srv.CreateBucket(t, "bkt")
	c := srv.Client(t)
	big := strings.Repeat("0123456789abcdef", 4096) // 64 KiB, as minio-go's chunks
	status, body := do(t, srv.HTTPClient(), streamingPut(t, srv.URL, "k", []string{big, "tail"}, len(big)+4, nil))
	require.Equal(t, http.StatusOK, status, body)
	assert.Equal(t, big+"tail", getBody(t, c, "k"), "the decoded bytes are stored, not the framing")
	obj, err := c.Head(t.Context(), "bkt", "k")
	require.NoError(t, err)
	assert.Equal(t, int64(len(big)+4), obj.Size)

	tests := []struct {
		name       string
		decodedLen int
		tamper     func([]byte) []byte
		status     int
		code       string
	}{
		{"changed data", 5, func(b []byte) []byte { return bytes.Replace(b, []byte("hello"), []byte("jello"), 1) }, http.StatusForbidden, "SignatureDoesNotMatch"},
		{"wrong decoded length", 6, nil, http.StatusBadRequest, "IncompleteBody"},
		{"bad framing", 5, func(b []byte) []byte { return bytes.Replace(b, []byte("hello\r\n"), []byte("hello\r\r"), 1) }, http.StatusBadRequest, "IncompleteBody"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := streamingPut(t, srv.URL, "bad", []string{"hello"}, tt.decodedLen, tt.tamper)
			if tt.tamper != nil {
				b, err := io.ReadAll(req.Body)
				require.NoError(t, err)
				req.Body, req.ContentLength = io.NopCloser(bytes.NewReader(b)), int64(len(b))
			}
			status, body := do(t, srv.HTTPClient(), req)
			assert.Equal(t, tt.status, status, body)
			assert.Contains(t, body, tt.code)
			_, err := c.Head(t.Context(), "bkt", "bad")
			assert.ErrorIs(t, err, s3kit.ErrNotFound)
		})
	}
}

// TestStreamingUploadWithTrailer uploads with the AWS SDK's default
// checksums over TLS, which send an aws-chunked body with
// STREAMING-UNSIGNED-PAYLOAD-TRAILER and a trailing CRC32.
func TestStreamingUploadWithTrailer(t *testing.T) {
	for _, streaming := range []bool{false, true} {
		t.Run(fmt.Sprintf("streaming=%v", streaming), func(t *testing.T) {
			opts := []s3kittest.Option{s3kittest.WithTLS()}
			if streaming {
				opts = append(opts, s3kittest.WithStreamingUploads())
			}
			srv := s3kittest.NewServer(t, opts...)
			srv.CreateBucket(t, "bkt")
			rec := &recorder{next: srv.HTTPClient().Transport}
			api := s3.New(s3.Options{
				Region:       s3kittest.Region,
				BaseEndpoint: aws.String(srv.URL),
				UsePathStyle: true,
				HTTPClient:   &http.Client{Transport: rec},
				// The default of config.LoadDefaultConfig, which s3kit turns off.
				RequestChecksumCalculation: aws.RequestChecksumCalculationWhenSupported,
				Credentials: aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
					return aws.Credentials{AccessKeyID: s3kittest.AccessKey, SecretAccessKey: s3kittest.SecretKey}, nil
				}),
			})
			_, err := api.PutObject(t.Context(), &s3.PutObjectInput{
				Bucket: aws.String("bkt"), Key: aws.String("k"), ContentLength: aws.Int64(14),
				Body: struct{ io.Reader }{strings.NewReader("hello, trailer")}, // not seekable
			})
			seen := rec.header.Get("X-Amz-Content-Sha256")
			require.Equal(t, "STREAMING-UNSIGNED-PAYLOAD-TRAILER", seen, "the SDK's default over TLS")
			if !streaming {
				require.Error(t, err)
				assert.Contains(t, err.Error(), "XAmzContentSHA256Mismatch")
				return
			}
			require.NoError(t, err)
			assert.Equal(t, "hello, trailer", getBody(t, srv.Client(t), "k"))
			out, err := api.HeadObject(t.Context(), &s3.HeadObjectInput{Bucket: aws.String("bkt"), Key: aws.String("k"), ChecksumMode: types.ChecksumModeEnabled})
			require.NoError(t, err)
			crc := binary.BigEndian.AppendUint32(nil, crc32.ChecksumIEEE([]byte("hello, trailer")))
			assert.Equal(t, base64.StdEncoding.EncodeToString(crc), aws.ToString(out.ChecksumCRC32), "the trailing checksum is kept")

			// A part upload is decoded the same way.
			up, err := api.CreateMultipartUpload(t.Context(), &s3.CreateMultipartUploadInput{Bucket: aws.String("bkt"), Key: aws.String("mp")})
			require.NoError(t, err)
			part, err := api.UploadPart(t.Context(), &s3.UploadPartInput{
				Bucket: aws.String("bkt"), Key: aws.String("mp"), UploadId: up.UploadId, PartNumber: aws.Int32(1),
				ContentLength: aws.Int64(4), Body: struct{ io.Reader }{strings.NewReader("part")},
			})
			require.NoError(t, err)
			assert.Equal(t, "STREAMING-UNSIGNED-PAYLOAD-TRAILER", rec.header.Get("X-Amz-Content-Sha256"))
			_, err = api.CompleteMultipartUpload(t.Context(), &s3.CompleteMultipartUploadInput{
				Bucket: aws.String("bkt"), Key: aws.String("mp"), UploadId: up.UploadId,
				MultipartUpload: &types.CompletedMultipartUpload{Parts: []types.CompletedPart{{ETag: part.ETag, PartNumber: aws.Int32(1), ChecksumCRC32: part.ChecksumCRC32}}},
			})
			require.NoError(t, err)
			assert.Equal(t, "part", getBody(t, srv.Client(t), "mp"))
		})
	}
}

// recorder is a transport that keeps the last request's headers.
type recorder struct {
	next   http.RoundTripper
	header http.Header
}

func (r *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	r.header = req.Header.Clone()
	return r.next.RoundTrip(req)
}

// TestStreamingUploadTrailers sends trailing checksums by hand, signed
// (STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER) and unsigned.
func TestStreamingUploadTrailers(t *testing.T) {
	srv := s3kittest.NewServer(t, s3kittest.WithStreamingUploads())
	srv.CreateBucket(t, "bkt")
	const payload = "trailing"
	crc := base64.StdEncoding.EncodeToString(binary.BigEndian.AppendUint32(nil, crc32.ChecksumIEEE([]byte(payload))))
	creds := aws.Credentials{AccessKeyID: s3kittest.AccessKey, SecretAccessKey: s3kittest.SecretKey}
	tests := []struct {
		name, mode, checksum string
		badTrailerSig        bool
		status               int
	}{
		{"unsigned", "STREAMING-UNSIGNED-PAYLOAD-TRAILER", crc, false, http.StatusOK},
		{"unsigned, wrong checksum", "STREAMING-UNSIGNED-PAYLOAD-TRAILER", "AAAAAA==", false, http.StatusBadRequest},
		{"signed", "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER", crc, false, http.StatusOK},
		{"signed, wrong checksum", "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER", "AAAAAA==", false, http.StatusBadRequest},
		{"signed, wrong trailer signature", "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER", crc, true, http.StatusForbidden},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			key := fmt.Sprint("k", i)
			signed := strings.Contains(tt.mode, "HMAC")
			req, err := http.NewRequestWithContext(t.Context(), http.MethodPut, srv.URL+"/bkt/"+key, nil)
			require.NoError(t, err)
			req.Header.Set("Content-Encoding", "aws-chunked")
			req.Header.Set("X-Amz-Content-Sha256", tt.mode)
			req.Header.Set("X-Amz-Decoded-Content-Length", fmt.Sprint(len(payload)))
			req.Header.Set("X-Amz-Trailer", "x-amz-checksum-crc32")
			trailer := "x-amz-checksum-crc32:" + tt.checksum + "\n"
			sigLen := 0
			if signed {
				sigLen = len(";chunk-signature=") + 64
			}
			size := len(fmt.Sprintf("%x", len(payload))) + sigLen + 2 + len(payload) + 2 + 1 + sigLen + 2 + len(trailer) + 1 + 2
			if signed {
				size += len("x-amz-trailer-signature:") + 64 + 2
			}
			req.ContentLength = int64(size)
			now := time.Now()
			require.NoError(t, v4.NewSigner().SignHTTP(t.Context(), creds, req, tt.mode, "s3", s3kittest.Region, now))

			var body bytes.Buffer
			if !signed {
				fmt.Fprintf(&body, "%x\r\n%s\r\n0\r\n%s\r\n", len(payload), payload, strings.TrimSuffix(trailer, "\n"))
			} else {
				_, seedHex, _ := strings.Cut(req.Header.Get("Authorization"), "Signature=")
				seed, err := hex.DecodeString(seedHex)
				require.NoError(t, err)
				ss := v4.NewStreamSigner(creds, "s3", s3kittest.Region, seed)
				sig1, err := ss.GetSignature(t.Context(), nil, []byte(payload), now)
				require.NoError(t, err)
				sig0, err := ss.GetSignature(t.Context(), nil, nil, now)
				require.NoError(t, err)
				fmt.Fprintf(&body, "%x;chunk-signature=%x\r\n%s\r\n0;chunk-signature=%x\r\n%s\r\n", len(payload), sig1, payload, sig0, strings.TrimSuffix(trailer, "\n"))
				// The trailer's signature chains on from the final chunk's.
				date := now.UTC().Format("20060102")
				key := hmacSHA256([]byte("AWS4"+s3kittest.SecretKey), date)
				for _, part := range []string{s3kittest.Region, "s3", "aws4_request"} {
					key = hmacSHA256(key, part)
				}
				th := sha256.Sum256([]byte(trailer))
				toSign := strings.Join([]string{"AWS4-HMAC-SHA256-TRAILER", now.UTC().Format("20060102T150405Z"),
					date + "/" + s3kittest.Region + "/s3/aws4_request", hex.EncodeToString(sig0), hex.EncodeToString(th[:])}, "\n")
				trailerSig := hmacSHA256(key, toSign)
				if tt.badTrailerSig {
					trailerSig[0] ^= 1
				}
				fmt.Fprintf(&body, "x-amz-trailer-signature:%x\r\n", trailerSig)
			}
			body.WriteString("\r\n")
			require.Equal(t, size, body.Len())
			req.Body = io.NopCloser(&body)

			status, resp := do(t, srv.HTTPClient(), req)
			require.Equal(t, tt.status, status, resp)
			if status == http.StatusOK {
				assert.Equal(t, payload, getBody(t, srv.Client(t), key))
			}
		})
	}
}

func hmacSHA256(key []byte, data string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(data))
	return m.Sum(nil)
}
