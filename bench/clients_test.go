package bench

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"runtime"
	"runtime/metrics"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/minio/minio-go/v7"
	miniocreds "github.com/minio/minio-go/v7/pkg/credentials"

	"github.com/s3kit/s3kit"
)

const (
	region = "eu-west-1"
	mib    = 1 << 20
)

// target is where the clients of one benchmark point.
type target struct {
	endpoint string
	ak, sk   string
	hc       *http.Client
}

// newHTTPClient returns a client with a fresh transport, trusting caFile if
// given, with enough idle connections for concurrent transfers.
func newHTTPClient(caFile string) *http.Client {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = 32
	if caFile != "" {
		pem, err := os.ReadFile(caFile)
		if err != nil {
			panic(err)
		}
		pool := x509.NewCertPool()
		pool.AppendCertsFromPEM(pem)
		tr.TLSClientConfig = &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
	}
	return &http.Client{Transport: tr}
}

func (t target) s3kit(b *testing.B, opts ...s3kit.Option) *s3kit.Client {
	base := []s3kit.Option{
		s3kit.WithEndpoint(t.endpoint), s3kit.WithRegion(region),
		s3kit.WithCredentials(t.ak, t.sk), s3kit.WithHTTPClient(t.hc),
	}
	if os.Getenv("S3KIT_BENCH_LOG") != "" {
		// Retries and failed attempts, to explain an odd run; off by default.
		base = append(base, s3kit.WithLogger(slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))))
	}
	c, err := s3kit.New(context.Background(), append(base, opts...)...)
	if err != nil {
		b.Fatal(err)
	}
	return c
}

// sdk returns the raw SDK client with the same compatible settings s3kit
// uses for a non-AWS endpoint.
func (t target) sdk() *s3.Client {
	return s3.New(s3.Options{
		Region:                     region,
		BaseEndpoint:               aws.String(t.endpoint),
		UsePathStyle:               true,
		Credentials:                credentials.NewStaticCredentialsProvider(t.ak, t.sk, ""),
		HTTPClient:                 t.hc,
		RequestChecksumCalculation: aws.RequestChecksumCalculationWhenRequired,
		ResponseChecksumValidation: aws.ResponseChecksumValidationWhenRequired,
		DisableLogOutputChecksumValidationSkipped: true,
	})
}

func (t target) minio(b *testing.B) *minio.Client {
	u, err := url.Parse(t.endpoint)
	if err != nil {
		b.Fatal(err)
	}
	c, err := minio.New(u.Host, &minio.Options{
		Creds:        miniocreds.NewStaticV4(t.ak, t.sk, ""),
		Secure:       u.Scheme == "https",
		Region:       region,
		BucketLookup: minio.BucketLookupPath,
		Transport:    t.hc.Transport,
	})
	if err != nil {
		b.Fatal(err)
	}
	return c
}

// peakHeap samples the heap while the benchmark runs and reports its peak
// in MiB. It uses runtime/metrics, which does not stop the world.
type peakHeap struct {
	stop chan struct{}
	done chan struct{}
	peak atomic.Uint64
}

func startPeakHeap() *peakHeap {
	runtime.GC()
	p := &peakHeap{stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(p.done)
		s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
		t := time.NewTicker(2 * time.Millisecond)
		defer t.Stop()
		for {
			metrics.Read(s)
			if v := s[0].Value.Uint64(); v > p.peak.Load() {
				p.peak.Store(v)
			}
			select {
			case <-p.stop:
				return
			case <-t.C:
			}
		}
	}()
	return p
}

func (p *peakHeap) report(b *testing.B) {
	close(p.stop)
	<-p.done
	b.ReportMetric(float64(p.peak.Load())/mib, "peak-heap-MiB")
}

// rotation runs a benchmark's clients in an order that rotates with the
// round number in S3KIT_BENCH_ROUND (set by scripts/bench.sh), so that no
// client always runs first: whatever the previous client leaves behind (the
// page cache, the server's files, the heap) weighs on each client in turn.
type rotation struct {
	b     *testing.B
	names []string
	fns   []func(*testing.B)
}

func rotate(b *testing.B) *rotation { return &rotation{b: b} }

// Run records a sub-benchmark; Do runs them.
func (r *rotation) Run(name string, fn func(*testing.B)) {
	r.names = append(r.names, name)
	r.fns = append(r.fns, fn)
}

// Do runs the recorded sub-benchmarks, starting with the one the round
// selects.
func (r *rotation) Do() {
	round, _ := strconv.Atoi(os.Getenv("S3KIT_BENCH_ROUND"))
	for i := range r.fns {
		j := (i + round) % len(r.fns)
		r.b.Run(r.names[j], r.fns[j])
	}
}
