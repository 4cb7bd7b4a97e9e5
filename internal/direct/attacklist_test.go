package direct_test

import (
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/s3kit/s3kit/internal/direct"
)

// attackPage wraps inner in a ListBucketResult as AWS sends it.
func attackPage(inner string) string {
	return `<?xml version="1.0" encoding="UTF-8"?>` + "\n" + `<ListBucketResult ` + ns + `><Name>bkt</Name>` + inner + `</ListBucketResult>`
}

// attackObject is a Contents element whose children are inner.
func attackObject(inner string) string { return `<Contents>` + inner + `</Contents>` }

// attackKey is a page with one object whose Key element holds v.
func attackKey(v string) string {
	return attackPage(attackObject(`<Key>` + v + `</Key><Size>1</Size><LastModified>2026-11-25T10:00:00.000Z</LastModified>`))
}

// attackBodies are answers a server may send, by name: XML edge cases
// that the list decoder must read as the SDK does or leave to it. They
// are also seeds of FuzzDecodeList.
var attackBodies = func() map[string]string {
	m := map[string]string{
		// Entities, references, and where they may be cut.
		"entities":          attackKey(`a&amp;b&lt;c&gt;d&quot;e&apos;f&#65;&#x42;&#x1F600;`),
		"entity case":       attackKey(`&AMP;`),
		"ref upper X":       attackKey(`&#X41;`),
		"ref no semicolon":  attackKey(`&#65 x`),
		"ref long":          attackKey(`&#00000000000000000065;`),
		"ref max":           attackKey(`&#x10FFFF;`),
		"ref over max":      attackKey(`&#x110000;`),
		"ref surrogate":     attackKey(`&#xD800;`),
		"ref FFFE":          attackKey(`&#xFFFE;`),
		"ref NUL":           attackKey(`&#0;`),
		"ref CR LF":         attackKey(`a&#13;&#10;b&#xD;`),
		"amp alone":         attackKey(`a & b`),
		"entity at the end": attackKey(strings.Repeat("x", 4093) + "&amp;"),
		// Control characters, CR, DEL, invalid UTF-8.
		"raw CR LF":       attackKey("a\r\nb"),
		"raw CR":          attackKey("a\rb"),
		"raw tab LF":      attackKey("a\tb\nc"),
		"raw SOH":         attackKey("a\x01b"),
		"raw ESC":         attackKey("a\x1bb"),
		"raw DEL":         attackKey("a\x7fb"),
		"raw NUL":         attackKey("a\x00b"),
		"raw C1":          attackKey("a\u0085b"),
		"invalid UTF-8":   attackKey("a\xffb"),
		"overlong UTF-8":  attackKey("a\xc0\xafb"),
		"UTF-8 surrogate": attackKey("a\xed\xa0\x80b"),
		"U+FFFD":          attackKey("a\uFFFDb"),
		"U+FFFE raw":      attackKey("a\uFFFEb"),
		"cut rune":        attackKey("a\xe2\x82"),
		"NUL between":     attackPage("\x00" + attackObject(`<Key>k</Key>`)),
		"CR LF between":   attackPage("\r\n" + attackObject("\r\n<Key>k</Key>\r\n") + "\r\n"),
		// CDATA.
		"CDATA":               attackKey(`<![CDATA[a<b&c]]>`),
		"CDATA then text":     attackKey(`<![CDATA[a]]>b`),
		"text then CDATA":     attackKey(`a<![CDATA[b]]>`),
		"two CDATA":           attackKey(`<![CDATA[a]]]]><![CDATA[>b]]>`),
		"CDATA brackets":      attackKey(`<![CDATA[]]]]>`),
		"CDATA CR LF":         attackKey("<![CDATA[a\r\nb]]>"),
		"CDATA empty":         attackKey(`<![CDATA[]]>`),
		"CDATA unterminated":  attackKey(`<![CDATA[a`),
		"CDATA between":       attackPage(`<![CDATA[x]]>` + attackObject(`<Key>k</Key>`)),
		"end of CDATA":        attackKey(`a]]>b`),
		"brackets":            attackKey(`a]]b]`),
		"escaped end":         attackKey(`a]]&gt;b`),
		"bracket ref bracket": attackKey(`]&#93;>`),
		// Unknown elements named like known ones.
		"Contents in Owner":        attackPage(attackObject(`<Key>k</Key><Owner><Contents><Key>no</Key></Contents><ID>i</ID></Owner>`)),
		"Key in unknown":           attackPage(attackObject(`<Key>k</Key><Foo><Key>no</Key><Size>9</Size></Foo>`)),
		"Contents in Contents":     attackPage(attackObject(`<Contents><Key>inner</Key></Contents><Key>outer</Key>`)),
		"Contents in prefixes":     attackPage(`<CommonPrefixes><Contents><Key>no</Key></Contents><Prefix>p/</Prefix></CommonPrefixes>`),
		"Prefix in Contents":       attackPage(attackObject(`<Prefix>no</Prefix><Key>k</Key>`)),
		"IsTruncated in Contents":  attackPage(`<IsTruncated>false</IsTruncated>` + attackObject(`<IsTruncated>true</IsTruncated><Key>k</Key>`)),
		"token in unknown":         attackPage(`<IsTruncated>true</IsTruncated><Foo><NextContinuationToken>no</NextContinuationToken><NextMarker>no</NextMarker></Foo>`),
		"Owner twice":              attackPage(attackObject(`<Owner><ID>a</ID></Owner><Owner><DisplayName>b</DisplayName><ID>c</ID></Owner>`)),
		"RestoreStatus twice":      attackPage(attackObject(`<RestoreStatus><IsRestoreInProgress>true</IsRestoreInProgress></RestoreStatus><RestoreStatus><RestoreExpiryDate>2026-12-01T00:00:00Z</RestoreExpiryDate></RestoreStatus>`)),
		"deep unknown":             attackPage(strings.Repeat("<a>", 70) + strings.Repeat("</a>", 70) + attackObject(`<Key>k</Key>`)),
		"deep unknown in Contents": attackPage(attackObject(`<Key>k</Key>` + strings.Repeat("<a>", 61) + strings.Repeat("</a>", 61))),
		"case":                     `<listbucketresult><CONTENTS><kEy>k</kEy><SIZE>3</SIZE></CONTENTS><istruncated>TRUE</istruncated><nextcontinuationtoken>t</nextcontinuationtoken><nextmarker>m</nextmarker></listbucketresult>`,
		"xmlns on child":           attackPage(attackObject(`<Key xmlns="">k</Key><Size xmlns="urn:x">1</Size>`)),
		"xmlns element":            attackPage(`<xmlns>x</xmlns>` + attackObject(`<Key>k</Key>`)),
		"prefixed child":           attackPage(attackObject(`<s3:Key xmlns:s3="urn:x">k</s3:Key>`)),
		"prefixed root":            `<s3:ListBucketResult xmlns:s3="urn:x"><s3:Contents><s3:Key>k</s3:Key></s3:Contents></s3:ListBucketResult>`,
		// Pagination fields.
		"IsTruncated twice true false": attackPage(`<IsTruncated>true</IsTruncated><IsTruncated>false</IsTruncated>`),
		"IsTruncated twice false true": attackPage(`<IsTruncated>false</IsTruncated><NextContinuationToken>t</NextContinuationToken><IsTruncated>true</IsTruncated>`),
		"token twice":                  attackPage(`<IsTruncated>true</IsTruncated><NextContinuationToken>a</NextContinuationToken><NextContinuationToken>b</NextContinuationToken><NextMarker>c</NextMarker><NextMarker>d</NextMarker>`),
		"token empty":                  attackPage(`<IsTruncated>true</IsTruncated><NextContinuationToken></NextContinuationToken><NextMarker></NextMarker>`),
		"token closed":                 attackPage(`<IsTruncated>true</IsTruncated><NextContinuationToken/><NextMarker/>`),
		"token space":                  attackPage(`<IsTruncated>true</IsTruncated><NextContinuationToken> </NextContinuationToken>`),
		"token then empty":             attackPage(`<IsTruncated>true</IsTruncated><NextContinuationToken>a</NextContinuationToken><NextContinuationToken/>`),
		"no IsTruncated":               attackPage(`<NextContinuationToken>a</NextContinuationToken>`),
		"IsTruncated empty":            attackPage(`<IsTruncated></IsTruncated>`),
		"IsTruncated closed":           attackPage(`<IsTruncated/>`),
		"IsTruncated bad then good":    attackPage(`<IsTruncated>yes</IsTruncated><IsTruncated>true</IsTruncated>`),
		"IsTruncated forms":            attackPage(`<IsTruncated>T</IsTruncated><IsTruncated>True</IsTruncated><IsTruncated>1</IsTruncated><IsTruncated>F</IsTruncated>`),
		"MaxKeys huge":                 attackPage(`<MaxKeys>4294967297</MaxKeys><KeyCount>-2147483649</KeyCount>`),
		"MaxKeys over int64":           attackPage(`<MaxKeys>99999999999999999999</MaxKeys>`),
		"MaxKeys negative":             attackPage(`<MaxKeys>-5</MaxKeys>` + attackObject(`<Key>k</Key>`)),
		"MaxKeys zero":                 attackPage(`<MaxKeys>0</MaxKeys>` + attackObject(`<Key>k</Key>`) + attackObject(`<Key>l</Key>`)),
		// EncodingType=url.
		"url plus percent":  attackPage(`<EncodingType>url</EncodingType><Prefix>a%2Bb+c</Prefix>` + attackObject(`<Key>a+b%2Bc%25d%20e</Key>`) + `<CommonPrefixes><Prefix>p%2F+%25</Prefix></CommonPrefixes><NextMarker>m%2B+</NextMarker><StartAfter>s+%2B</StartAfter>`),
		"url bad escape":    attackPage(`<EncodingType>url</EncodingType>` + attackObject(`<Key>a%zz</Key>`)),
		"url upper":         attackPage(`<EncodingType>URL</EncodingType>` + attackObject(`<Key>a%2F</Key>`)),
		"url twice":         attackPage(`<EncodingType>url</EncodingType><EncodingType></EncodingType>`),
		"url closed":        attackPage(`<EncodingType/>`),
		"url control chars": attackPage(`<EncodingType>url</EncodingType>` + attackObject(`<Key>a%01%0D%0A%7F%00</Key>`)),
		// Prolog.
		"BOM":                   "\xef\xbb\xbf" + attackKey("k"),
		"BOM only decl":         "\xef\xbb\xbf<ListBucketResult/>",
		"UTF-16 decl":           `<?xml version="1.0" encoding="UTF-16"?><ListBucketResult/>`,
		"utf8 decl":             `<?xml version="1.0" encoding="utf8"?><ListBucketResult/>`,
		"ascii decl":            `<?xml version="1.0" encoding="us-ascii"?><ListBucketResult/>`,
		"lower utf-8 decl":      `<?xml version="1.0" encoding="utf-8"?><ListBucketResult/>`,
		"version 1.1":           `<?xml version="1.1"?><ListBucketResult/>`,
		"decl after comment":    `<!-- c --><?xml version="1.0"?><ListBucketResult/>`,
		"two decls":             `<?xml version="1.0"?><?xml version="1.0"?><ListBucketResult/>`,
		"decl spaced":           " \r\n\t<?xml version=\"1.0\"   ?>\r\n<ListBucketResult/>",
		"decl no version":       `<?xml encoding="UTF-8"?><ListBucketResult/>`,
		"PI before root":        `<?xml-stylesheet href="x"?><ListBucketResult/>`,
		"PI in root":            attackPage(`<?pi x?>` + attackObject(`<Key>k</Key>`)),
		"PI in value":           attackKey(`a<?pi x?>b`),
		"PI after root":         attackKey(`k`) + `<?pi x?>`,
		"DOCTYPE":               `<!DOCTYPE ListBucketResult><ListBucketResult/>`,
		"DOCTYPE in root":       attackPage(`<!DOCTYPE x>`),
		"text before root":      `x<ListBucketResult/>`,
		"second root":           attackKey("k") + `<ListBucketResult><Contents><Key>second</Key></Contents></ListBucketResult>`,
		"Error after root":      attackKey("k") + `<Error><Code>InternalError</Code></Error>`,
		"junk after root":       attackKey("k") + "\x00\xff<<<",
		"root self-closed":      `<ListBucketResult/>`,
		"root unclosed":         `<ListBucketResult><Contents><Key>k</Key></Contents>`,
		"root cut in tag":       `<ListBucketResult><Contents><Key>k</Key></Conte`,
		"Error root":            `<Error><Code>InternalError</Code><Message>m</Message></Error>`,
		"error root lower":      `<error><Code>InternalError</Code></error>`,
		"Error root prefixed":   `<s3:Error xmlns:s3="urn:x"><Code>InternalError</Code></s3:Error>`,
		"Error root with attrs": `<Error a=">"><Code>InternalError</Code></Error>`,
		"Error root closed":     `<Error/>`,
		"other root":            `<ListAllMyBucketsResult><Contents><Key>k</Key></Contents></ListAllMyBucketsResult>`,
		// Attributes.
		"attr gt":             attackPage(`<Contents a=">"><Key b='a>b' c = "d">k</Key></Contents>`),
		"attr lt":             attackPage(`<Contents a="<"><Key>k</Key></Contents>`),
		"attr amp":            attackPage(`<Contents a="&amp;"><Key>k</Key></Contents>`),
		"attr bad entity":     attackPage(`<Contents a="&bad;"><Key>k</Key></Contents>`),
		"attr tab":            attackPage("<Contents a=\"\t\"><Key>k</Key></Contents>"),
		"attr no space":       attackPage(`<Contents a="1"b="2"><Key>k</Key></Contents>`),
		"attr no value":       attackPage(`<Contents a><Key>k</Key></Contents>`),
		"attr unquoted":       attackPage(`<Contents a=1><Key>k</Key></Contents>`),
		"attr twice":          attackPage(`<Contents a="1" a="2"><Key>k</Key></Contents>`),
		"attr xml:space":      attackPage(`<Contents xml:space="preserve"><Key xml:lang="en">k</Key></Contents>`),
		"attr unicode":        attackPage(`<Contents a="é"><Key>k</Key></Contents>`),
		"attr unterminated":   attackPage(`<Contents a="1><Key>k</Key></Contents>`),
		"attr end of CDATA":   attackPage(`<Contents a="]]>"><Key b=']]>'>k</Key></Contents>`),
		"attr empty prefix":   attackPage(`<Contents xmlns:x=""><Key>k</Key></Contents>`),
		"attr xmlns xmlns":    attackPage(`<Contents xmlns:xmlns="urn:x"><Key>k</Key></Contents>`),
		"attr xmlns xml":      attackPage(`<Contents xmlns:xml="urn:x"><Key>k</Key></Contents>`),
		"attr undeclared":     attackPage(`<Contents y:a="1"><Key>k</Key></Contents>`),
		"root xmlns twice":    `<ListBucketResult xmlns="a" xmlns="b"><Contents><Key>k</Key></Contents></ListBucketResult>`,
		"child other ns":      attackPage(`<Contents xmlns="urn:other"><Key>k</Key></Contents>`),
		"white space in tags": attackPage("<Contents\n><Key\t>k</Key\r\n></Contents >"),
		"space after lt":      attackPage(`< Contents><Key>k</Key></Contents>`),
		"end tag mismatch":    attackPage(attackObject(`<Key>k</KEY>`)),
		"end tag unopened":    attackPage(`</Foo>`),
		// Comments.
		"comment gt":           attackPage(`<!-- a > b -->` + attackObject(`<!--x>--><Key>k</Key>`)),
		"comment dashes":       attackPage(`<!-- a -- b -->`),
		"comment empty":        attackPage(`<!---->`),
		"comment dash gt":      attackPage(`<!--->-->`),
		"comment three dashes": attackPage(`<!-- a --->`),
		"comment in value":     attackKey(`a<!-- c -->b`),
		"comment only value":   attackKey(`<!-- c -->`),
		"comment control":      attackPage("<!-- \x01 -->"),
		"comment invalid":      attackPage("<!-- \xff -->"),
		"comment unclosed":     attackPage(`<!-- a`),
		"comment short":        attackPage(`<!->`),
		// Values.
		"value spaces":      attackKey(` k `),
		"value empty":       attackPage(attackObject(`<Key></Key><ETag/><StorageClass></StorageClass>`)),
		"value child":       attackKey(`<b>x</b>`),
		"value text child":  attackKey(`a<b/>`),
		"value space child": attackKey(` <b/>`),
		"storage classes":   attackPage(attackObject(`<StorageClass>GLACIER_IR</StorageClass>`) + attackObject(`<StorageClass>standard</StorageClass>`) + attackObject(`<StorageClass>DEEP_ARCHIVE</StorageClass><StorageClass>STANDARD</StorageClass>`)),
		"checksums":         attackPage(attackObject(`<ChecksumAlgorithm></ChecksumAlgorithm><ChecksumAlgorithm>CRC64NVME</ChecksumAlgorithm><ChecksumAlgorithm/><ChecksumType>COMPOSITE</ChecksumType>`)),
		"ETag entities":     attackPage(attackObject(`<ETag>&quot;a-2&quot;</ETag><ETag>"b"</ETag>`)),
	}
	for i, size := range []string{"9223372036854775807", "9223372036854775808", "-1", "-9223372036854775808", "1e3", "0x10",
		" 1", "1 ", "", "00012", "+0", "-0", "١", "1_000", "０"} {
		m[fmt.Sprintf("size %d %q", i, size)] = attackPage(attackObject(`<Key>k</Key><Size>` + size + `</Size>`))
	}
	for i, date := range []string{"2026-11-25T10:00:00Z", "2026-11-25T10:00:00.123456789Z", "2026-11-25T10:00:00.1234567891Z",
		"2026-11-25T10:00:00+01:00", "2026-11-25T10:00:00-00:00", "2026-11-25T10:00:00", "2026-11-25 10:00:00Z",
		"Wed, 25 Nov 2026 10:00:00 GMT", "2026-11-25T10:00:00.000z", "2026-11-25t10:00:00Z", "1732528800",
		"2026-02-30T00:00:00Z", "2026-11-25T24:00:00Z", "2026-11-25T10:00:60Z", "0000-01-01T00:00:00Z", "-0001-01-01T00:00:00Z",
		"10000-01-01T00:00:00Z", "2026-11-25T10:00:00.Z", "2026-11-25T10:00Z", " 2026-11-25T10:00:00Z", "2026-11-25T10:00:00+24:00"} {
		m[fmt.Sprintf("date %d %q", i, date)] = attackPage(attackObject(`<Key>k</Key><LastModified>`+date+`</LastModified>`) +
			attackObject(`<Key>l</Key><LastModified>`+date+`</LastModified>`) +
			attackObject(`<Key>m</Key><RestoreStatus><RestoreExpiryDate>`+date+`</RestoreExpiryDate></RestoreStatus>`))
	}
	return m
}()

// attackLarge are large answers, built once: long keys and full pages.
func attackLarge() map[string]string {
	long := strings.Repeat("k", 1024)
	var full, escaped strings.Builder
	for i := range 1000 {
		fmt.Fprintf(&full, `<Contents><Key>%s%04d</Key><LastModified>2026-11-25T10:00:%02d.000Z</LastModified><ETag>&quot;%032x&quot;</ETag><Size>%d</Size><StorageClass>STANDARD</StorageClass></Contents>`,
			long[:1020], i, i%60, i, i*1000)
		fmt.Fprintf(&escaped, `<Contents><Key>%s</Key><Size>%d</Size></Contents>`, strings.Repeat("%E2%82%AC&amp;", 60)+fmt.Sprint(i), i)
	}
	return map[string]string{
		"long key":            attackKey(strings.Repeat("k", 100000)),
		"long key entities":   attackKey(strings.Repeat("abc&amp;&#x1F600;é", 20000)),
		"long key CDATA":      attackKey(`<![CDATA[` + strings.Repeat("<&]", 30000) + `]]>`),
		"full page":           attackPage(`<MaxKeys>1000</MaxKeys><IsTruncated>true</IsTruncated><NextContinuationToken>t</NextContinuationToken>` + full.String()),
		"full page escaped":   attackPage(`<EncodingType>url</EncodingType>` + escaped.String()),
		"long comment":        attackPage(`<!--` + strings.Repeat("-x", 100000) + `-->` + attackObject(`<Key>k</Key>`)),
		"long unknown":        attackPage(`<Foo>` + strings.Repeat("<Bar a='b'>text &amp; more</Bar>", 20000) + `</Foo>` + attackObject(`<Key>k</Key>`)),
		"many prefixes":       attackPage(strings.Repeat(`<CommonPrefixes><Prefix>p/</Prefix></CommonPrefixes>`, 5000)),
		"long token":          attackPage(`<IsTruncated>true</IsTruncated><NextContinuationToken>` + strings.Repeat("t", 70000) + `</NextContinuationToken>`),
		"long text between":   attackPage(strings.Repeat(" \n\t", 100000) + attackObject(`<Key>k</Key>`)),
		"long page cut short": attackPage(full.String())[:len(attackPage(full.String()))/2],
	}
}

// TestAttackListDecoder checks the list decoder on the attack bodies:
// whatever it reads, the SDK reads to the same output; and the answers
// servers send are read, not left to the SDK.
func TestAttackListDecoder(t *testing.T) {
	mustRead := map[string]bool{"entities": true, "raw tab LF": true, "CDATA": true, "U+FFFD": true, "Contents in Owner": true,
		"Key in unknown": true, "Contents in Contents": true, "token twice": true, "token empty": true, "url plus percent": true,
		"attr gt": true, "comment gt": true, "value empty": true, "checksums": true, "ETag entities": true, "case": true,
		"CR LF between": true, "full page": true, "full page escaped": true, "long key": true, "long key entities": true,
		"long key CDATA": true, "long token": true, "many prefixes": true, "escaped end": true, "brackets": true}
	bodies := attackLarge()
	for name, body := range attackBodies {
		bodies[name] = body
	}
	for name, body := range bodies {
		t.Run(name, func(t *testing.T) {
			b := []byte(body)
			got, ok := direct.DecodeListV2(b)
			want, err := sdkV2(b)
			if ok {
				require.NoError(t, err, "the decoder read a body the SDK refuses")
				assert.Equal(t, want, got)
			}
			gotV1, okV1 := direct.DecodeListV1(b)
			wantV1, errV1 := sdkV1(b)
			if okV1 {
				require.NoError(t, errV1, "the decoder read a body the SDK refuses")
				assert.Equal(t, wantV1, gotV1)
			}
			if mustRead[name] {
				assert.True(t, ok && okV1, "the decoder left a server's page to the SDK")
			}
		})
	}
}

// TestAttackListBucketAsTheSDK calls ListObjectsV2 and ListObjects with
// an empty bucket name, which the SDK (v1.114) does not refuse: it lists
// the service root (GET /?list-type=2). The direct path must do the same,
// rather than fail or go elsewhere.
func TestAttackListBucketAsTheSDK(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, attackKey("k"))
	}))
	t.Cleanup(srv.Close)
	u, err := url.Parse(srv.URL)
	require.NoError(t, err)
	newSDK := func() *s3.Client {
		return s3.New(s3.Options{Region: "eu-west-1", BaseEndpoint: aws.String(srv.URL), UsePathStyle: true,
			Credentials: credentials.NewStaticCredentialsProvider("AKID", "SECRET", ""), Retryer: aws.NopRetryer{},
			HTTPClient: srv.Client()})
	}
	dc := direct.New(newSDK(), direct.Settings{Endpoint: u})
	require.NotNil(t, dc)
	sdk := newSDK()
	errText := func(err error) string {
		if err == nil {
			return ""
		}
		return err.Error()
	}
	for _, bucket := range []string{"", "bkt"} {
		t.Run(fmt.Sprintf("%q", bucket), func(t *testing.T) {
			want, wantErr := sdk.ListObjectsV2(t.Context(), &s3.ListObjectsV2Input{Bucket: aws.String(bucket)})
			got, gotErr := dc.ListObjectsV2(t.Context(), &s3.ListObjectsV2Input{Bucket: aws.String(bucket)})
			assert.Equal(t, errText(wantErr), errText(gotErr))
			if wantErr == nil && gotErr == nil {
				assert.Equal(t, want.Contents, got.Contents)
			}
			wantV1, wantErr := sdk.ListObjects(t.Context(), &s3.ListObjectsInput{Bucket: aws.String(bucket)})
			gotV1, gotErr := dc.ListObjects(t.Context(), &s3.ListObjectsInput{Bucket: aws.String(bucket)})
			assert.Equal(t, errText(wantErr), errText(gotErr))
			if wantErr == nil && gotErr == nil {
				assert.Equal(t, wantV1.Contents, gotV1.Contents)
			}
		})
	}
}

// genPiece returns a random piece of a listing: a known or unknown
// element, possibly in another case, with values that mix entities,
// CDATA, comments and white space, nested up to depth.
func genPiece(r *rand.Rand, b *strings.Builder, depth int) {
	names := []string{"Contents", "CommonPrefixes", "Key", "Size", "ETag", "LastModified", "StorageClass", "Owner", "ID",
		"DisplayName", "Prefix", "IsTruncated", "NextContinuationToken", "NextMarker", "Marker", "ContinuationToken",
		"StartAfter", "KeyCount", "MaxKeys", "EncodingType", "Delimiter", "Name", "RestoreStatus", "IsRestoreInProgress",
		"RestoreExpiryDate", "ChecksumAlgorithm", "ChecksumType", "Foo", "Error"}
	values := []string{"k", "a&amp;b", "&#xD;", " x ", "é", "true", "false", "1", "-3", "+7", "2026-11-25T10:00:00Z",
		"2026-11-25T10:00:00.5+01:00", "<![CDATA[c<&]]>", "", "url", "a%2Bb+c", "]]&gt;", "]", "\t\n", "\r\n", "&quot;e&quot;",
		"9223372036854775807", "STANDARD", "CRC32", "&#x1F600;", "a<!-- c -->", "\x7f", "T"}
	name := names[r.IntN(len(names))]
	switch r.IntN(4) {
	case 0:
		name = strings.ToLower(name)
	case 1:
		name = strings.ToUpper(name)
	}
	switch k := r.IntN(10); {
	case k == 0:
		b.WriteString("<!-- " + values[r.IntN(len(values))] + " -->")
	case k == 1:
		b.WriteString([]string{" ", "\n", "\r\n", "\t", "text", "<![CDATA[x]]>"}[r.IntN(6)])
	case k == 2:
		b.WriteString("<" + name + "/>")
	case k < 6 && depth < 5:
		b.WriteString("<" + name + ">")
		for range r.IntN(6) {
			genPiece(r, b, depth+1)
		}
		b.WriteString("</" + name + ">")
	default:
		b.WriteString("<" + name + ">" + values[r.IntN(len(values))] + "</" + name + ">")
	}
}

// TestAttackListDecoderGenerated checks the decoder against the SDK on
// pages made of random pieces, larger than the fuzzers' inputs.
func TestAttackListDecoderGenerated(t *testing.T) {
	const pages = 3000
	r := rand.New(rand.NewPCG(14, 2026))
	read := 0
	for i := range pages {
		var b strings.Builder
		b.WriteString(`<?xml version="1.0" encoding="UTF-8"?><ListBucketResult>`)
		for range 1 + r.IntN(40) {
			genPiece(r, &b, 1)
		}
		b.WriteString(`</ListBucketResult>`)
		body := []byte(b.String())
		if got, ok := direct.DecodeListV2(body); ok {
			read++
			want, err := sdkV2(body)
			require.NoError(t, err, "page %d: the decoder read a body the SDK refuses: %s", i, body)
			require.Equal(t, want, got, "page %d: %s", i, body)
		}
		if got, ok := direct.DecodeListV1(body); ok {
			want, err := sdkV1(body)
			require.NoError(t, err, "page %d: the decoder read a body the SDK refuses: %s", i, body)
			require.Equal(t, want, got, "page %d: %s", i, body)
		}
	}
	t.Logf("%d of %d pages read", read, pages)
	assert.Positive(t, read)
}
