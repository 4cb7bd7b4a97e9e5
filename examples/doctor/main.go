// Command doctor probes an S3-compatible endpoint with s3kit's Doctor and
// prints what works, what does not, and the options to use.
//
//	S3_ENDPOINT_URL=https://NAMESPACE.s3.fr1.cloud-temple.com \
//	S3_ACCESS_KEY=... S3_SECRET_KEY=... S3_REGION=fr1 \
//	go run ./examples/doctor -bucket scratch
//
// or, from anywhere, without a clone of the repository:
//
//	go run github.com/s3kit/s3kit/examples/doctor@latest -bucket scratch
//
// It writes a few small objects under ".s3kit-doctor/" in the bucket and
// deletes them before it exits. -ca trusts a private certificate authority.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"

	"github.com/s3kit/s3kit"
)

func main() {
	bucket := flag.String("bucket", "", "scratch bucket to probe (required)")
	ca := flag.String("ca", "", "PEM file of a certificate authority to trust")
	sigV2 := flag.Bool("sigv2", false, "sign with legacy SigV2")
	flag.Parse()
	if *bucket == "" {
		fmt.Fprintln(os.Stderr, "doctor: -bucket is required")
		flag.Usage()
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, *bucket, *ca, *sigV2); err != nil {
		fmt.Fprintln(os.Stderr, "doctor:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, bucket, ca string, sigV2 bool) error {
	opts := []s3kit.Option{s3kit.FromEnv()}
	if ca != "" { // or S3_CA_BUNDLE, which FromEnv reads
		pem, err := os.ReadFile(ca)
		if err != nil {
			return err
		}
		opts = append(opts, s3kit.WithRootCAs(pem))
	}
	if sigV2 {
		opts = append(opts, s3kit.WithSignatureV2())
	}
	client, err := s3kit.New(ctx, opts...)
	if err != nil {
		return err
	}
	report, err := client.Doctor(ctx, bucket)
	if err != nil {
		return err
	}
	fmt.Print(report)
	return nil
}
