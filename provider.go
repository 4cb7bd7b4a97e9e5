package s3kit

import (
	"fmt"
	"strings"
	"unicode/utf16"

	"github.com/s3kit/s3kit/internal/names"
	"github.com/s3kit/s3kit/internal/transfer"
)

// Provider is the profile of an S3-compatible provider: how its endpoint is
// built, its region, addressing style and checksum mode, whether it has
// object ACLs, which ListObjects version to use, and its limits. Build one
// with a constructor such as [CloudTemple] or [MinIO] and pass it to
// [WithProvider]. The zero Provider is not valid. Only this package can fill
// one in; profiles are values and safe to share.
type Provider struct {
	name            string
	endpoint        string // "" means AWS S3 for the region
	region          string
	pathStyle       bool
	pathStyleSet    bool
	compatChecksums bool  // checksums only when required (see the package doc)
	objectACLs      bool  // object ACLs exist; false makes ACL calls fail before any request
	listV1          bool  // use ListObjects v1
	maxKeyChars     int   // longest key in UTF-16 code units; 0: only S3's 1024 bytes
	deleteNeedsMD5  bool  // DeleteObjects without Content-MD5 is refused (s3kit always sends it)
	equalParts      bool  // all multipart parts but the last must have the same size
	relaxedNames    bool  // legacy bucket names (upper case, '_', up to 255 characters)
	err             error // a bad constructor argument, reported by New

	// condIgnored lists the requests on which the server is known to
	// ignore If-None-Match and If-Match (transfer.CondWrites, below).
	condIgnored transfer.CondWrites
}

// Name returns the provider's name, such as "Cloud Temple".
func (p Provider) Name() string { return p.name }

// String describes the profile in one line.
func (p Provider) String() string {
	ep := names.RedactURL(p.endpoint)
	if ep == "" {
		ep = "AWS"
	}
	return fmt.Sprintf("%s (endpoint %s, region %s, path-style %t, object ACLs %t, list v1 %t, DeleteObjects needs Content-MD5 %t)",
		p.name, ep, p.region, p.pathStyle, p.objectACLs, p.listV1, p.deleteNeedsMD5)
}

// generic is the base of every third-party profile: path-style, checksums
// only when required, object ACLs, ListObjectsV2 and S3's limits.
func generic(name, endpoint, region string) Provider {
	return Provider{
		name: name, endpoint: endpoint, region: region,
		pathStyle: true, pathStyleSet: true, compatChecksums: true, objectACLs: true,
	}
}

// withEndpointArg returns p for a constructor that takes an endpoint URL;
// New checks the URL.
func withEndpointArg(p Provider) Provider {
	if p.endpoint == "" {
		p.err = fmt.Errorf("%s: endpoint is empty", p.name)
	}
	return p
}

// CloudTemple is Cloud Temple's object storage, which runs on Dell ECS:
// endpoint https://NAMESPACE.s3.fr1.cloud-temple.com, path-style addressing
// (required), checksums only when required (ECS rejects the SDK's
// aws-chunked uploads with XAmzContentSHA256Mismatch), canned object ACLs,
// keys of at most 255 characters, and ECS's bucket names, which may hold upper
// case and '_' ([WithRelaxedBucketNames]). region is the signing region; "" means
// "fr1", the region its documentation names (ECS accepts any).
//
// Source: https://cloud-temple.github.io/docs/en/storage/oss/tutorials/python-boto3
// and the Dell ECS administration guide, "S3 bucket and object naming in
// ECS" (bucket names of 1 to 255 characters of [a-zA-Z0-9._-]; keys of at
// most 255 characters).
func CloudTemple(namespace, region string) Provider {
	if region == "" {
		region = "fr1"
	}
	p := generic("Cloud Temple", "https://"+namespace+".s3.fr1.cloud-temple.com", region)
	p.maxKeyChars = 255
	p.relaxedNames = true
	if err := names.CheckLabel("Cloud Temple namespace", namespace); err != nil {
		p.err = err
	}
	return p
}

// AWS is Amazon S3 in region: the SDK's own endpoint resolution,
// virtual-host addressing and its default checksums. Buckets created since
// April 2023 have ACLs disabled (Object Ownership "bucket owner enforced");
// ACL requests on them fail with [ErrACLNotSupported] from the server.
//
// Source: https://docs.aws.amazon.com/general/latest/gr/s3.html and
// https://docs.aws.amazon.com/AmazonS3/latest/userguide/about-object-ownership.html
func AWS(region string) Provider {
	p := Provider{name: "AWS", region: region, objectACLs: true}
	if region == "" {
		p.err = fmt.Errorf("AWS: region is empty")
	}
	return p
}

// CephRGW is a Ceph Object Gateway at endpoint: path-style, checksums only
// when required (RGW 16 rejects aws-chunked uploads over TLS), object ACLs
// enforced for anonymous reads, and any signing region. It also accepts
// SigV2 ([WithSignatureV2]).
//
// RGW 16.2 enforces [WithIfNoneMatch] and [WithIfMatch] on PutObject but
// ignores them on CompleteMultipartUpload and CopyObject (seen), so with
// this profile a conditional [Client.Copy], and a conditional [Client.Put]
// that could go multipart (a body of unknown size, or larger than the
// multipart threshold), fail with [ErrInvalidInput] before any request.
// Newer RGW releases may enforce more; a client without this profile sends
// the conditions and relies on the server.
//
// Source: https://docs.ceph.com/en/latest/radosgw/s3/ and s3kit's
// conformance suite against radosgw 16.2.
func CephRGW(endpoint string) Provider {
	p := withEndpointArg(generic("Ceph RGW", endpoint, defaultEndpointRegion))
	p.condIgnored = transfer.CondMultipart | transfer.CondCopy
	return p
}

// MinIO is a MinIO server at endpoint: path-style, region "us-east-1" (its
// default), no object ACLs (GetObjectAcl and PutObjectAcl are not
// supported; use bucket policies), and DeleteObjects needs Content-MD5 on
// older releases.
//
// Source: https://docs.min.io/community/minio-object-store/reference/s3-api-compatibility.html
// and aws-sdk-go-v2 issue 3258 (MissingContentMD5).
func MinIO(endpoint string) Provider {
	p := withEndpointArg(generic("MinIO", endpoint, "us-east-1"))
	p.objectACLs = false
	p.deleteNeedsMD5 = true
	return p
}

// Versitygw is a Versity S3 gateway at endpoint: path-style, region
// "us-east-1" (its default; it enforces the region it was started with, so
// pass [WithRegion] if that differs), and no object ACLs (PutObjectAcl is
// NotImplemented and x-amz-acl on PutObject is ignored); bucket policies
// work. versitygw v1.8.0 enforces [WithIfNoneMatch] and [WithIfMatch] on
// PutObject and CompleteMultipartUpload but ignores them on CopyObject
// (seen), so with this profile a conditional [Client.Copy] fails with
// [ErrInvalidInput] before any request.
//
// Source: https://github.com/versity/versitygw (README, --region flag) and
// s3kit's conformance suite against versitygw v1.8.0.
func Versitygw(endpoint string) Provider {
	p := withEndpointArg(generic("versitygw", endpoint, "us-east-1"))
	p.objectACLs = false
	p.condIgnored = transfer.CondCopy
	return p
}

// Scaleway is Scaleway Object Storage in region ("fr-par", "nl-ams" or
// "pl-waw"): endpoint https://s3.REGION.scw.cloud, canned object ACLs.
//
// Source: https://www.scaleway.com/en/docs/object-storage/api-cli/object-storage-aws-cli/
func Scaleway(region string) Provider {
	p := generic("Scaleway", "https://s3."+region+".scw.cloud", region)
	if err := names.CheckRegion("Scaleway", region, names.RegionIn("fr-par", "nl-ams", "pl-waw"), `"fr-par", "nl-ams" or "pl-waw"`); err != nil {
		p.err = err
	}
	return p
}

// OVHcloud is OVHcloud Object Storage in region (such as "gra", "sbg",
// "de", "uk", "waw", "bhs"): endpoint https://s3.REGION.io.cloud.ovh.net,
// canned object ACLs.
//
// Source: https://help.ovhcloud.com/csm/en-public-cloud-storage-s3-location?id=kb_article_view&sysparm_article=KB0047384
func OVHcloud(region string) Provider {
	p := generic("OVHcloud", "https://s3."+region+".io.cloud.ovh.net", region)
	if err := names.CheckRegion("OVHcloud", region, names.OVHRegion, `a region such as "gra", "sbg", "de", "uk", "waw", "bhs" or "eu-west-par"`); err != nil {
		p.err = err
	}
	return p
}

// Wasabi is Wasabi Hot Cloud Storage in region (such as "us-east-1",
// "eu-central-1"): endpoint https://s3.REGION.wasabisys.com, canned object
// ACLs.
//
// Source: https://docs.wasabi.com/docs/what-are-the-service-urls-for-wasabi-s-different-storage-regions
func Wasabi(region string) Provider {
	p := generic("Wasabi", "https://s3."+region+".wasabisys.com", region)
	if err := names.CheckRegion("Wasabi", region, names.AWSLikeRegion, `a region such as "us-east-1" or "eu-central-1"`); err != nil {
		p.err = err
	}
	return p
}

// BackblazeB2 is Backblaze B2's S3-compatible API in region (such as
// "us-west-004" or "eu-central-003"): endpoint
// https://s3.REGION.backblazeb2.com. B2 has no object ACLs: a bucket is
// private or public as a whole.
//
// Source: https://www.backblaze.com/docs/cloud-storage-s3-compatible-api
func BackblazeB2(region string) Provider {
	p := generic("Backblaze B2", "https://s3."+region+".backblazeb2.com", region)
	p.objectACLs = false
	if err := names.CheckRegion("Backblaze B2", region, names.B2Region, `a region such as "us-west-004" or "eu-central-003"`); err != nil {
		p.err = err
	}
	return p
}

// CloudflareR2 is Cloudflare R2 for accountID: endpoint
// https://ACCOUNT_ID.r2.cloudflarestorage.com, region "auto", no ACLs
// (public access is set per bucket in the dashboard). R2 wants the parts of
// a multipart upload to be the same size, except the last: give Put a body
// of known size or [WithPartSize] large enough for the whole stream.
//
// Source: https://developers.cloudflare.com/r2/api/s3/api/
func CloudflareR2(accountID string) Provider {
	p := generic("Cloudflare R2", "https://"+accountID+".r2.cloudflarestorage.com", "auto")
	p.objectACLs = false
	p.equalParts = true
	if err := names.CheckLabel("Cloudflare R2 account ID", accountID); err != nil {
		p.err = err
	}
	return p
}

// DigitalOceanSpaces is DigitalOcean Spaces in region (such as "nyc3",
// "ams3", "fra1"): endpoint https://REGION.digitaloceanspaces.com, signing
// region "us-east-1" as its SDK examples use, canned ACLs private and
// public-read.
//
// Source: https://docs.digitalocean.com/products/spaces/reference/s3-sdk-examples/
// and https://docs.digitalocean.com/products/spaces/reference/s3-compatibility/
func DigitalOceanSpaces(region string) Provider {
	p := generic("DigitalOcean Spaces", "https://"+region+".digitaloceanspaces.com", "us-east-1")
	if err := names.CheckRegion("DigitalOcean Spaces", region, names.DORegion, `a datacenter such as "nyc3", "ams3" or "fra1"`); err != nil {
		p.err = err
	}
	return p
}

// GoogleCloudStorage is Google Cloud Storage through its XML API's S3
// interoperability, with HMAC keys: endpoint https://storage.googleapis.com,
// region "auto", ListObjects v1 (marker-based, the form its XML API
// documents). Object ACLs work only on buckets without uniform
// bucket-level access.
//
// Source: https://cloud.google.com/storage/docs/interoperability and
// https://cloud.google.com/storage/docs/xml-api/get-bucket-list
func GoogleCloudStorage() Provider {
	p := generic("Google Cloud Storage", "https://storage.googleapis.com", "auto")
	p.listV1 = true
	return p
}

// check returns the profile's constructor error as an input error.
func (p *Provider) check() error {
	switch {
	case p.name == "":
		return invalidf("New", "", "", "WithProvider: zero Provider; use a constructor such as s3kit.CloudTemple")
	case p.err != nil:
		return invalidf("New", "", "", "WithProvider: %v", p.err)
	case strings.ContainsAny(p.region, " /"):
		return invalidf("New", "", "", "WithProvider: region %q is not a valid region name", p.region)
	}
	return nil
}

// checkKeyLimit applies the provider's key length limit in characters,
// which may be lower than S3's 1024 bytes (Dell ECS: 255). Characters are
// counted as UTF-16 code units, the stricter reading of ECS's "Unicode
// characters": a key that passes is never too long for ECS, and a key of 255
// accented letters (510 bytes) passes.
func (c *Client) checkKeyLimit(op, bucket, key string) error {
	if c.conf().provider.maxKeyChars == 0 || len(key) <= c.conf().provider.maxKeyChars {
		return nil // fast path: never more characters than bytes
	}
	if n := utf16Len(key); n > c.conf().provider.maxKeyChars {
		return invalidf(op, bucket, key, "object key is %d characters long; %s allows at most %d", n, c.conf().provider.name, c.conf().provider.maxKeyChars)
	}
	return nil
}

// utf16Len returns the length of s in UTF-16 code units.
func utf16Len(s string) int {
	n := 0
	for _, r := range s {
		n += utf16.RuneLen(r)
	}
	return n
}

// aclUnsupported returns an error matching ErrACLNotSupported when the
// client's provider profile says it has no object ACLs, without sending a
// request.
func (c *Client) aclUnsupported(op, bucket, key string) error {
	if !c.conf().noObjectACLs() {
		return nil
	}
	return &Error{Op: op, Bucket: bucket, Key: key, kind: ErrACLNotSupported,
		Err: fmt.Errorf("%s has no object ACLs; use a bucket policy", c.conf().provider.name)}
}

// checkProviderPut applies the provider profile's limits to a Put: its key
// length and, for a public ACL, whether it has object ACLs at all.
func (c *Client) checkProviderPut(op, bucket, key string, cfg *putConfig) error {
	if err := c.checkKeyLimit(op, bucket, key); err != nil {
		return err
	}
	if cfg.acl != "" && cfg.acl != ACLPrivate {
		return c.aclUnsupported(op, bucket, key)
	}
	return nil
}

// noObjectACLs reports whether the provider profile says the provider has no
// object ACLs.
func (c *config) noObjectACLs() bool { return c.providerSet && !c.provider.objectACLs }
