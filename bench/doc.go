// Package bench compares s3kit with the raw AWS SDK (with the same
// compatible settings) and minio-go. It is a separate module so that
// minio-go never becomes a dependency of s3kit itself.
//
// Small operations run against an in-process stub that answers instantly
// (the client's own cost); large transfers and listings run against a real
// server named by S3KIT_BENCH_ENDPOINT (scripts/bench.sh starts versitygw on
// /dev/shm for that). Run everything with scripts/bench.sh.
package bench
