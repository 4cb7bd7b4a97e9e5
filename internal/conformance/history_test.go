package conformance_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"flag"
	"fmt"
	"io"
	"log"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/stretchr/testify/require"

	"github.com/s3kit/s3kit"
	"github.com/s3kit/s3kit/internal/history"
	"github.com/s3kit/s3kit/s3kittest"
)

var (
	rgwHistoryOps   = flag.Int("history.ops", 1200, "TestHistoryRGW: operations")
	rgwHistorySeeds = flag.Int("history.seeds", 2, "TestHistoryRGW: number of seeds")
)

// TestHistoryRGW runs the randomized history test (internal/history)
// against Ceph RGW over TLS, through a proxy on 127.0.0.1 that injects the
// same faults as the s3kittest runs, since RGW cannot inject them itself.
func TestHistoryRGW(t *testing.T) {
	target := fromEnv(t, "rgw-tls", "S3KIT_TEST_RGW_TLS_ENDPOINT", "S3KIT_TEST_RGW")
	direct, err := s3kit.New(t.Context(), target.Options...)
	require.NoError(t, err)
	bucket := historyBucket(t, direct)

	backend, err := url.Parse(os.Getenv("S3KIT_TEST_RGW_TLS_ENDPOINT"))
	require.NoError(t, err)
	total := map[string]int{}
	ops := *rgwHistoryOps / max(1, *rgwHistorySeeds)
	for i := range *rgwHistorySeeds {
		seed := uint64(100 + i)
		t.Run(fmt.Sprint("seed", seed), func(t *testing.T) {
			rules, lostCreates := history.Faults(seed)
			rp := httputil.NewSingleHostReverseProxy(backend)
			rp.Transport = target.HTTPClient.Transport
			rp.ErrorLog = log.New(io.Discard, "", 0)
			front := httptest.NewUnstartedServer(s3kittest.NewFaultHandler(rp, rules...))
			front.Config.ErrorLog = log.New(io.Discard, "", 0)
			front.StartTLS()
			t.Cleanup(front.Close)
			hc := front.Client()
			t.Cleanup(hc.CloseIdleConnections)
			opts := append(slices.Clone(target.Options), s3kit.WithEndpoint(front.URL), s3kit.WithHTTPClient(hc))
			c, err := s3kit.New(t.Context(), opts...)
			require.NoError(t, err)

			prefix := fmt.Sprintf("h%d/", seed)
			h := history.Run(t.Context(), history.Config{
				Client: c, Direct: direct, Bucket: bucket, Prefix: prefix, Seed: seed, Ops: ops,
				Big: 5 << 20, PutOptions: []s3kit.PutOption{s3kit.WithMultipartThreshold(5 << 20), s3kit.WithPartSize(5 << 20)},
				Cancel: 0.1, CancelWithin: 50 * time.Millisecond,
				// Fewer multipart bodies than on s3kittest: RGW's in-memory
				// OSD holds every byte written until its garbage collector
				// runs.
				BigShare: 0.05,
			})
			problems, counts := history.Report(t.Context(), h, direct.S3(), rules, lostCreates())
			for _, p := range problems {
				t.Errorf("seed %d: %s", seed, p)
			}
			for k, v := range counts {
				total[k] += v
			}
		})
	}
	t.Logf("RGW/TLS through the fault proxy:\n%s", history.FormatCounts(total))
}

// historyBucket creates a bucket for the history runs and removes it, with
// any uploads left, at the end.
func historyBucket(t *testing.T, c *s3kit.Client) string {
	var b [6]byte
	_, _ = rand.Read(b[:])
	name := "s3kit-hist-" + hex.EncodeToString(b[:])
	require.NoError(t, c.CreateBucket(t.Context(), name))
	t.Cleanup(func() {
		ctx := context.Background()
		if ups, err := c.S3().ListMultipartUploads(ctx, &s3.ListMultipartUploadsInput{Bucket: &name}); err == nil {
			for _, up := range ups.Uploads {
				_, _ = c.S3().AbortMultipartUpload(ctx, &s3.AbortMultipartUploadInput{Bucket: &name, Key: up.Key, UploadId: up.UploadId})
			}
		}
		if err := c.DeletePrefix(ctx, name, "h"); err != nil {
			t.Logf("cleanup: %v", err)
		}
		if err := c.DeleteBucket(ctx, name); err != nil {
			t.Logf("cleanup: %v", err)
		}
	})
	return name
}
