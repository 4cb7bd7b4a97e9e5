// Package knobs holds s3kit's internal limits that tests lower to exercise
// code paths, such as multipart copy, with small objects. Only s3kit and its
// tests import it; nothing here is part of the API.
package knobs

// Multipart copy: objects larger than CopyThreshold are copied in parts of
// CopyPartSize (raised so that the object fits in 10,000 parts). S3's
// CopyObject copies at most 5 GiB.
var (
	CopyThreshold int64 = 5 << 30
	CopyPartSize  int64 = 512 << 20
)

// SetCopyLimits sets the copy limits until the returned function is called.
// Callers must not run copies in parallel with a change.
func SetCopyLimits(threshold, partSize int64) (restore func()) {
	oldT, oldP := CopyThreshold, CopyPartSize
	CopyThreshold, CopyPartSize = threshold, partSize
	return func() { CopyThreshold, CopyPartSize = oldT, oldP }
}
