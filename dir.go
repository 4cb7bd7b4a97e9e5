package s3kit

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/s3kit/s3kit/internal/tree"
)

// DirResult reports what [Client.UploadDir] or [Client.DownloadDir] did.
// It counts what was done even when the call returns an error.
type DirResult struct {
	Files    int   // files transferred
	Bytes    int64 // bytes of the files transferred
	Skipped  int   // files not transferred because the destination had them unchanged ([WithSkipUnchanged])
	Deleted  int   // objects or files deleted because the source no longer has them ([WithDeleteExtra])
	Excluded int   // files or keys left out: by [WithInclude] or [WithExclude], links not followed, special files, directory markers
}

// DirProgress reports how far a directory transfer has got, all files
// together. [WithDirProgress] delivers it.
type DirProgress struct {
	Files      int     // files done: transferred, or skipped as unchanged
	TotalFiles int     // files to do, once the tree or the listing is read
	Bytes      int64   // bytes done: moved (those of large files as they move), or of files skipped as unchanged
	TotalBytes int64   // bytes of all the files to do, skipped ones included
	Rate       float64 // bytes per second over the last two seconds; over the whole transfer in the last report
}

// DirError lists the files of a directory transfer that failed. It is
// found with errors.As inside the [*Error] that [Client.UploadDir] and
// [Client.DownloadDir] return, and unwraps to every failure, so errors.Is
// on the returned error matches the sentinel of any of them (such as
// [ErrAccessDenied]) (TestDirFailurePolicy).
type DirError struct {
	Failures []FileError // in the order they happened; those refused before any transfer first
}

// Error summarises the failures: how many, and the first.
func (e *DirError) Error() string {
	if len(e.Failures) == 0 {
		return "no file failed"
	}
	if len(e.Failures) == 1 {
		return e.Failures[0].Error()
	}
	return fmt.Sprintf("%d files failed; first: %s", len(e.Failures), e.Failures[0].Error())
}

// Unwrap returns every failure.
func (e *DirError) Unwrap() []error {
	errs := make([]error, len(e.Failures))
	for i := range e.Failures {
		errs[i] = &e.Failures[i]
	}
	return errs
}

// FileError is one file of a directory transfer that failed: a transfer
// that failed, or a key or a file refused before any transfer, such as a
// key that cannot be a file name.
type FileError struct {
	Key  string // the object's key
	Path string // the local file's path; empty for a key refused before it got one
	Err  error  // the cause, an [*Error]
}

// Error names the key and the cause.
func (e *FileError) Error() string { return fmt.Sprintf("%q: %v", e.Key, e.Err) }

// Unwrap returns the cause.
func (e *FileError) Unwrap() error { return e.Err }

// maxConcurrency is the most requests one call may have in flight, as
// [WithConcurrency] allows.
const maxConcurrency = 64

// dirRun is the state of one directory transfer.
type dirRun struct {
	c                   *Client
	op, bucket, prefix  string
	dir                 string
	cfg                 *dirConfig
	filter              tree.Filter
	meter               *tree.Meter
	limit               int
	files, skipped, del atomic.Int64
	bytes               atomic.Int64
	excluded            int

	mu       sync.Mutex
	failures []FileError
}

// newDirRun checks the call's arguments and options.
func (c *Client) newDirRun(op, bucket, prefix, dir string, opts []DirOption) (*dirRun, error) {
	cfg := &dirConfig{transfer: c.conf().transfer}
	for _, o := range opts {
		if o == nil {
			return nil, invalidf(op, bucket, prefix, "nil DirOption")
		}
		o.applyDir(cfg)
	}
	if err := c.checkBucketName(op, bucket); err != nil {
		return nil, err
	}
	if dir == "" {
		return nil, invalidf(op, bucket, prefix, "dir is empty")
	}
	if err := cfg.transfer.validate(op, bucket, prefix); err != nil {
		return nil, err
	}
	r := &dirRun{c: c, op: op, bucket: bucket, prefix: tree.Prefix(prefix), dir: dir, cfg: cfg,
		filter: tree.Filter{Include: cfg.include, Exclude: cfg.exclude}}
	if err := r.filter.Check(); err != nil {
		return nil, invalid(op, bucket, prefix, err)
	}
	// One limit for every file: four times a file's own concurrency by
	// default (16), at most the 64 a file may use, or what
	// WithConcurrency gives the call.
	r.limit = min(4*cfg.transfer.concurrency, maxConcurrency)
	if cfg.given&givenConcurrency != 0 {
		r.limit = cfg.transfer.concurrency
	}
	return r, nil
}

// fail records a failure of key (path: the local file, if known).
func (r *dirRun) fail(key, path string, err error) {
	r.mu.Lock()
	r.failures = append(r.failures, FileError{Key: key, Path: path, Err: err})
	r.mu.Unlock()
}

// result is what the run did.
func (r *dirRun) result() DirResult {
	return DirResult{Files: int(r.files.Load()), Bytes: r.bytes.Load(), Skipped: int(r.skipped.Load()),
		Deleted: int(r.del.Load()), Excluded: r.excluded}
}

// err is the run's error: the failures, or ctx's error if it ended before
// every file was done, or nil.
func (r *dirRun) err(ctx context.Context, done bool) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.failures) > 0 {
		return &Error{Op: r.op, Bucket: r.bucket, Key: r.prefix, Err: &DirError{Failures: r.failures}}
	}
	if !done && ctx.Err() != nil {
		return &Error{Op: r.op, Bucket: r.bucket, Key: r.prefix, Err: context.Cause(ctx)}
	}
	return nil
}

// failed reports whether any file failed.
func (r *dirRun) failed() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.failures) > 0
}

// weight is the share of the limit a file of size bytes holds: one slot for
// a file sent in one request, one per part in flight for a larger one.
func (r *dirRun) weight(size, threshold int64) int {
	if size <= threshold {
		return 1
	}
	ps := r.cfg.transfer.partSize
	return int(min((size+ps-1)/ps, int64(r.limit)))
}

// fileProgress returns the options that count a large file's bytes into
// the meter as they move (w > 1), and a function that settles the count
// when the file is done: its size if it succeeded, nothing if it failed.
// expected is the size the meter's total counts for the file; an object
// found with another size (replaced since the listing) moves the total
// first, so that the bytes done never pass it
// (TestAttack13DownloadDirObjectGrowsAfterListing).
func (r *dirRun) fileProgress(w int, expected int64) (ProgressOption, func(size int64, ok bool)) {
	var counted int64
	resize := func(size int64) {
		if size >= 0 && size != expected {
			r.meter.AddTotalBytes(size - expected)
			expected = size
		}
	}
	settle := func(size int64, ok bool) {
		if ok {
			resize(size)
			r.meter.AddBytes(size - counted)
			r.meter.FileDone()
		} else {
			r.meter.AddBytes(-counted)
		}
	}
	if w <= 1 || r.meter == nil {
		return nil, settle
	}
	return WithProgress(func(p Progress) {
		resize(p.Total)
		r.meter.AddBytes(p.Bytes - counted)
		counted = p.Bytes
	}), settle
}

// UploadDir uploads every regular file under dir to bucket, under prefix:
// the file dir/a/b.txt becomes the key prefix + "/a/b.txt" ('/' between
// the segments on every system; a prefix of "" puts the files at the root
// of the bucket; "photos" and "photos/" mean the same). Each file goes as
// [Client.UploadFile] sends it (Content-Type from the extension), with the
// options of [WithPutOptions].
//
// Files are uploaded concurrently, and large ones in parts, under one
// limit: [WithConcurrency] requests in flight in all (default: four times
// the client's concurrency, at most 64, so 16 unless [New] was given
// WithConcurrency), a file sent in parts holding as many of
// them as it has parts in flight, so memory stays below that limit times
// the part size (TestUploadDirSharesOneLimit). Symbolic links are not
// followed unless [WithFollowSymlinks] is given (TestUploadDirSymlinks).
// [WithInclude], [WithExclude], [WithSkipUnchanged], [WithDeleteExtra],
// [WithContinueOnError] and [WithDirProgress] say what to upload, what to
// delete, and how to fail and report.
//
// On failure the returned error is an [*Error] holding a [*DirError] that
// lists the files that failed; by default the first failure stops the
// upload (see [WithContinueOnError]). Files already uploaded stay
// uploaded. Errors: [ErrInvalidInput], before any request, for a bad
// bucket name, an option that does not apply, a malformed pattern, or a
// dir that is not a readable directory. A file whose key Put would refuse
// (a name that is not UTF-8, a key too long) is refused with
// [ErrInvalidInput] and listed in the [*DirError] before any upload starts,
// so with the default failure policy nothing is stored
// (TestAttack13UploadDirRefusesBadKeysFirst).
func (c *Client) UploadDir(ctx context.Context, bucket, prefix, dir string, opts ...DirOption) (_ DirResult, err error) {
	ctx, span := c.span(ctx, "UploadDir", bucket, prefix)
	defer span.End(&err)
	r, err := c.newDirRun("UploadDir", bucket, prefix, dir, opts)
	if err != nil {
		return DirResult{}, err
	}
	up, err := r.newUploader()
	if err != nil {
		return DirResult{}, err
	}
	walked, err := tree.Walk(dir, &r.filter, r.cfg.follow)
	if err != nil {
		return DirResult{}, invalid(r.op, bucket, r.prefix, err)
	}
	r.excluded = walked.Excluded
	for _, p := range walked.Problems {
		r.fail(r.prefix+p.Rel, filepath.Join(dir, filepath.FromSlash(p.Rel)), &Error{Op: r.op, Bucket: bucket, Key: r.prefix + p.Rel, Err: p.Err})
	}
	walked.Files = r.checkKeys(walked.Files)
	if r.failed() && !r.cfg.keepGoing {
		return r.result(), r.err(ctx, false)
	}
	if r.cfg.skipUnchanged || r.cfg.deleteExtra {
		if up.remote, err = c.listUnder(ctx, r.op, bucket, r.prefix); err != nil {
			return DirResult{}, err
		}
	}
	r.meter = tree.StartMeter(dirProgressFn(r.cfg.progress))
	files := walked.Files
	r.meter.SetTotal(len(files), totalSize(files))
	fails := tree.Run(ctx, r.limit, len(files),
		func(i int) int { return r.weight(files[i].Size, r.cfg.transfer.threshold) },
		func(ctx context.Context, i int) error { return up.upload(ctx, files[i]) },
		r.cfg.keepGoing)
	for _, f := range fails {
		r.fail(r.prefix+files[f.Index].Rel, files[f.Index].Path, f.Err)
	}
	r.meter.Finish()
	done := int(r.files.Load()+r.skipped.Load()) == len(files)
	if r.cfg.deleteExtra && done && !r.failed() {
		if err := up.deleteExtra(ctx, files); err != nil {
			return r.result(), err
		}
	}
	return r.result(), r.err(ctx, done)
}

// checkKeys refuses, before any upload, the files whose key Put would
// refuse (not UTF-8, too long for S3 or for the provider), as DownloadDir
// refuses its keys before any download, and returns the others
// (TestAttack13UploadDirRefusesBadKeysFirst).
func (r *dirRun) checkKeys(files []tree.Entry) []tree.Entry {
	ok := files[:0]
	for _, f := range files {
		key := r.prefix + f.Rel
		err := r.c.checkNames(r.op, r.bucket, key)
		if err == nil {
			err = r.c.checkKeyLimit(r.op, r.bucket, key)
		}
		if err != nil {
			r.fail(key, f.Path, err)
			continue
		}
		ok = append(ok, f)
	}
	return ok
}

// dirProgressFn adapts a DirProgress function to the meter's.
func dirProgressFn(fn func(DirProgress)) func(tree.Snapshot) {
	if fn == nil {
		return nil
	}
	return func(s tree.Snapshot) { fn(DirProgress(s)) }
}

// totalSize adds the sizes of files.
func totalSize(files []tree.Entry) int64 {
	var t int64
	for _, f := range files {
		t += f.Size
	}
	return t
}

// listUnder lists every object under prefix, by the key without prefix.
func (c *Client) listUnder(ctx context.Context, op, bucket, prefix string) (map[string]Object, error) {
	out := make(map[string]Object)
	for obj, err := range c.listing(ctx, op, bucket, []ListOption{WithPrefix(prefix)}) {
		if err != nil {
			return nil, err
		}
		out[strings.TrimPrefix(obj.Key, prefix)] = obj
	}
	return out, nil
}

// uploader uploads the files of one UploadDir.
type uploader struct {
	*dirRun
	base   []PutOption       // the options every file gets
	meta   map[string]string // WithMetadata of WithPutOptions, to add the SHA-256 to
	remote map[string]Object // objects under the prefix, if listed
}

// newUploader checks the options given to WithPutOptions.
func (r *dirRun) newUploader() (*uploader, error) {
	pc := putConfig{size: -1, transfer: r.cfg.transfer}
	for _, o := range r.cfg.put {
		if o == nil {
			return nil, invalidf(r.op, r.bucket, r.prefix, "nil PutOption in WithPutOptions")
		}
		o.applyPut(&pc)
	}
	if pc.given != 0 || pc.cond.MatchSet {
		return nil, invalidf(r.op, r.bucket, r.prefix,
			"WithPutOptions takes options that apply to every file alike: give transfer options to %s itself, and leave out WithSize, WithProgress and WithIfMatch", r.op)
	}
	if err := pc.validate(r.op, r.bucket, "k", strings.NewReader(""), r.c.conf().relaxedNames); err != nil {
		return nil, err
	}
	t := r.cfg.transfer
	base := []PutOption{WithPartSize(t.partSize), WithMultipartThreshold(t.threshold), WithContentMD5(t.contentMD5)}
	return &uploader{dirRun: r, base: append(base, r.cfg.put...), meta: pc.metadata}, nil
}

// upload uploads one file, unless WithSkipUnchanged finds it unchanged.
func (u *uploader) upload(ctx context.Context, e tree.Entry) error {
	key := u.prefix + e.Rel
	f, err := openRegular(e.Path)
	if err != nil {
		return &Error{Op: u.op, Bucket: u.bucket, Key: key, Err: err}
	}
	defer f.Close()
	// The file's size now, not at the walk: the hash, the comparison and
	// the upload all take that many bytes, and the Put fails if it changes
	// again (TestAttack13UploadDirFileGrowsAfterWalk).
	fi, err := f.Stat()
	if err != nil {
		return &Error{Op: u.op, Bucket: u.bucket, Key: key, Err: err}
	}
	size := fi.Size()
	u.meter.AddTotalBytes(size - e.Size)
	opts := append(withTypeOf(e.Path, u.base), WithSize(size))
	if u.cfg.skipUnchanged {
		if obj, ok := u.remote[e.Rel]; ok && obj.Size == size {
			if s, _ := u.c.compareFile(ctx, u.op, u.bucket, key, f, size, obj.ETag, true); s == same {
				u.skipped.Add(1)
				u.meter.AddBytes(size)
				u.meter.FileDone()
				return nil
			}
		}
		sum, err := tree.HashFile(f, size, true)
		if err != nil {
			return &Error{Op: u.op, Bucket: u.bucket, Key: key, Err: err}
		}
		opts = append(opts, WithMetadata(withSHA(u.meta, sum)))
	}
	// The slots held are those of the size at the walk: a file that grew
	// past the threshold since goes in parts, but no more at once than
	// that.
	w := u.weight(size, u.cfg.transfer.threshold)
	if size > u.cfg.transfer.threshold {
		opts = append(opts, WithConcurrency(min(w, u.weight(e.Size, u.cfg.transfer.threshold))))
	}
	prog, settle := u.fileProgress(w, size)
	if prog != nil {
		opts = append(opts, prog)
	}
	res, err := u.c.Put(ctx, u.bucket, key, f, opts...)
	settle(res.Size, err == nil)
	if err != nil {
		return err
	}
	u.files.Add(1)
	u.bytes.Add(res.Size)
	return nil
}

// withSHA returns md with the SHA-256 metadata added.
func withSHA(md map[string]string, sum string) map[string]string {
	out := make(map[string]string, len(md)+1)
	for k, v := range md {
		out[k] = v
	}
	out[shaMetadata] = sum
	return out
}

// deleteExtra deletes the objects under the prefix that no file of files
// stands for and the filter takes. Directory markers (keys ending in '/')
// are kept.
func (u *uploader) deleteExtra(ctx context.Context, files []tree.Entry) error {
	have := make(map[string]bool, len(files))
	for _, f := range files {
		have[f.Rel] = true
	}
	var extra []string
	for rel := range u.remote {
		if !have[rel] && rel != "" && !strings.HasSuffix(rel, "/") && u.filter.Takes(rel) {
			extra = append(extra, u.prefix+rel)
		}
	}
	if len(extra) == 0 {
		return nil
	}
	if len(files) == 0 {
		return invalidf(u.op, u.bucket, u.prefix, "the source directory has no file to upload, so WithDeleteExtra would delete all %d objects under the prefix; refused (is the directory empty or not mounted?)", len(extra))
	}
	err := u.c.deleteMany(ctx, u.op, u.bucket, func(yield func(string) bool) {
		for _, k := range extra {
			if !yield(k) {
				return
			}
		}
	})
	if err == nil {
		u.del.Add(int64(len(extra)))
	}
	return err
}

// DownloadDir downloads every object under prefix in bucket into dir: the
// key prefix + "/a/b.txt" becomes the file dir/a/b.txt (a prefix of ""
// takes the whole bucket; "photos" and "photos/" mean the same). Each file
// is written as [Client.DownloadFile] writes it: through a temporary file,
// checked, synced and renamed, so that no partial file is ever left under
// its name. Directories are created as needed (mode 0777 less the umask,
// files 0666 less the umask: modes are never taken from the store); dir
// itself is created if missing.
//
// A key that would escape dir or cannot be a file name as it stands is
// refused and reported, never written nor renamed: ".." or "." segments,
// an absolute path, a drive letter such as "C:", a backslash, an empty
// segment ("a//b"), a key ending in '/' that holds data, and a key "p"
// when "p/x" exists too (a file cannot be a directory). Nothing is written
// through a symbolic link inside dir, whether it points inside or outside
// (TestDownloadDirRefusesEscapes). A key ending in '/' with no data (a
// directory marker) is left out. All keys are checked before any download,
// so with the default failure policy a refused key means nothing is
// written.
//
// Objects are downloaded concurrently, and large ones in ranges, under one
// limit as for [Client.UploadDir]. [WithInclude], [WithExclude],
// [WithSkipUnchanged], [WithDeleteExtra], [WithContinueOnError] and
// [WithDirProgress] apply; [WithPutOptions], [WithFollowSymlinks],
// [WithMultipartThreshold] and [WithContentMD5] are refused with
// [ErrInvalidInput].
//
// On failure the returned error is an [*Error] holding a [*DirError] that
// lists the files that failed; files already downloaded stay. Errors:
// [ErrInvalidInput], before any request, for a bad bucket name or an
// option that does not apply; the errors of [Client.List] if the listing
// fails.
func (c *Client) DownloadDir(ctx context.Context, bucket, prefix, dir string, opts ...DirOption) (_ DirResult, err error) {
	ctx, span := c.span(ctx, "DownloadDir", bucket, prefix)
	defer span.End(&err)
	r, err := c.newDirRun("DownloadDir", bucket, prefix, dir, opts)
	if err != nil {
		return DirResult{}, err
	}
	if err := r.checkDownloadOptions(); err != nil {
		return DirResult{}, err
	}
	remote, err := c.listUnder(ctx, r.op, bucket, r.prefix)
	if err != nil {
		return DirResult{}, err
	}
	jobs := r.plan(remote)
	if r.failed() && !r.cfg.keepGoing {
		return r.result(), r.err(ctx, false)
	}
	if err := os.MkdirAll(dir, 0o777); err != nil {
		return DirResult{}, &Error{Op: r.op, Bucket: bucket, Key: r.prefix, Err: err}
	}
	r.meter = tree.StartMeter(dirProgressFn(r.cfg.progress))
	var total int64
	for _, j := range jobs {
		total += j.obj.Size
	}
	r.meter.SetTotal(len(jobs), total)
	fails := tree.Run(ctx, r.limit, len(jobs),
		func(i int) int { return r.weight(jobs[i].obj.Size, r.cfg.transfer.partSize) },
		func(ctx context.Context, i int) error { return r.download(ctx, jobs[i]) },
		r.cfg.keepGoing)
	for _, f := range fails {
		r.fail(jobs[f.Index].obj.Key, filepath.Join(dir, jobs[f.Index].local), f.Err)
	}
	r.meter.Finish()
	done := int(r.files.Load()+r.skipped.Load()) == len(jobs)
	if r.cfg.deleteExtra && done && !r.failed() {
		if err := r.deleteLocal(remote); err != nil {
			return r.result(), err
		}
	}
	return r.result(), r.err(ctx, done)
}

// checkDownloadOptions refuses the options DownloadDir does not use.
func (r *dirRun) checkDownloadOptions() error {
	switch {
	case r.cfg.putGiven:
		return invalidf(r.op, r.bucket, r.prefix, "%s does not use WithPutOptions: remove it", r.op)
	case r.cfg.follow:
		return invalidf(r.op, r.bucket, r.prefix, "%s never writes through symbolic links: remove WithFollowSymlinks", r.op)
	}
	return refuseUnused(r.op, r.bucket, r.prefix, r.cfg.given, givenPartSize|givenConcurrency)
}

// fetch is one object DownloadDir downloads.
type fetch struct {
	obj   Object
	local string // path relative to dir, in the system's form
}

// plan maps the listed objects to local paths, in key order, and records
// the keys it refuses.
func (r *dirRun) plan(remote map[string]Object) []fetch {
	rels := make([]string, 0, len(remote))
	for rel := range remote {
		rels = append(rels, rel)
	}
	slices.Sort(rels)
	var ok []string
	for _, rel := range rels {
		obj := remote[rel]
		switch {
		case obj.Size == 0 && (rel == "" || strings.HasSuffix(rel, "/")):
			r.excluded++ // a directory marker
			continue
		case !r.filter.Takes(rel):
			r.excluded++
			continue
		}
		if _, err := tree.LocalName(rel); err != nil {
			r.fail(obj.Key, "", invalid(r.op, r.bucket, obj.Key, err))
			continue
		}
		ok = append(ok, rel)
	}
	conflicts := tree.Conflicts(ok)
	jobs := make([]fetch, 0, len(ok))
	for _, rel := range ok {
		obj := remote[rel]
		if below, bad := conflicts[rel]; bad {
			r.fail(obj.Key, "", invalidf(r.op, r.bucket, obj.Key, "%q also exists, so %q would have to be both a file and a directory", r.prefix+below, rel))
			continue
		}
		local, _ := tree.LocalName(rel)
		jobs = append(jobs, fetch{obj: obj, local: local})
	}
	return jobs
}

// download downloads one object, unless WithSkipUnchanged finds the file
// unchanged.
func (r *dirRun) download(ctx context.Context, j fetch) error {
	key := j.obj.Key
	target, err := tree.MakeParents(r.dir, j.local)
	if err != nil {
		return &Error{Op: r.op, Bucket: r.bucket, Key: key, kind: ErrInvalidInput, Err: err}
	}
	if r.cfg.skipUnchanged && r.unchangedLocal(ctx, target, j.obj) {
		r.skipped.Add(1)
		r.meter.AddBytes(j.obj.Size)
		r.meter.FileDone()
		return nil
	}
	w := r.weight(j.obj.Size, r.cfg.transfer.partSize)
	opts := []DownloadOption{WithPartSize(r.cfg.transfer.partSize), WithConcurrency(max(w, 1))}
	prog, settle := r.fileProgress(w, j.obj.Size)
	if prog != nil {
		opts = append(opts, prog)
	}
	obj, err := r.c.downloadTo(ctx, r.op, r.bucket, key, target, true, opts)
	settle(obj.Size, err == nil)
	if err != nil {
		return err
	}
	r.files.Add(1)
	r.bytes.Add(obj.Size)
	return nil
}

// unchangedLocal reports whether the regular file at target holds what
// obj holds.
func (r *dirRun) unchangedLocal(ctx context.Context, target string, obj Object) bool {
	fi, err := os.Lstat(target)
	if err != nil || !fi.Mode().IsRegular() || fi.Size() != obj.Size {
		return false
	}
	f, err := os.Open(target)
	if err != nil {
		return false
	}
	defer f.Close()
	if obj.Size == 0 {
		return true
	}
	s, _ := r.c.compareFile(ctx, r.op, r.bucket, obj.Key, f, obj.Size, obj.ETag, true)
	return s == same
}

// deleteLocal removes the regular files under dir that no listed object
// stands for and the filter takes. It never follows a link nor removes a
// directory.
func (r *dirRun) deleteLocal(remote map[string]Object) error {
	walked, err := tree.Walk(r.dir, &r.filter, false)
	if err != nil {
		return &Error{Op: r.op, Bucket: r.bucket, Key: r.prefix, Err: err}
	}
	if len(walked.Files) > 0 && !r.anyTaken(remote) {
		return invalidf(r.op, r.bucket, r.prefix, "no object under the prefix, so WithDeleteExtra would delete all %d files under the directory; refused (is the prefix right?)", len(walked.Files))
	}
	var errs []error
	for _, f := range walked.Files {
		if _, ok := remote[f.Rel]; ok {
			continue
		}
		if err := os.Remove(f.Path); err != nil && !errors.Is(err, os.ErrNotExist) {
			errs = append(errs, err)
			continue
		}
		r.del.Add(1)
	}
	if len(errs) > 0 {
		return &Error{Op: r.op, Bucket: r.bucket, Key: r.prefix, Err: errors.Join(errs...)}
	}
	return nil
}

// anyTaken reports whether any listed object is one the filters take.
func (r *dirRun) anyTaken(remote map[string]Object) bool {
	for rel := range remote {
		if rel != "" && !strings.HasSuffix(rel, "/") && r.filter.Takes(rel) {
			return true
		}
	}
	return false
}
