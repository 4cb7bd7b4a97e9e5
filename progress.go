package s3kit

import "github.com/s3kit/s3kit/internal/transfer"

// Progress reports how far a transfer has got. [WithProgress] delivers it.
type Progress struct {
	Bytes      int64 // bytes transferred so far
	Total      int64 // bytes in all, or -1 while unknown (a Put of unknown size)
	Parts      int   // parts or ranges completed
	TotalParts int   // parts or ranges in all, or 0 while unknown
}

// ProgressOption reports the progress of a [Client.Put] or a
// [Client.Download]. It is both a [PutOption] and a [DownloadOption].
type ProgressOption interface {
	PutOption
	DownloadOption
}

type progressOption func(Progress)

func (f progressOption) applyPut(c *putConfig)           { c.progress = f }
func (f progressOption) applyDownload(c *downloadConfig) { c.progress = f }

// WithProgress calls fn with the transfer's progress at most every 100 ms
// while it runs, and once more when it ends (whether it succeeded or not).
// fn is always called from the same goroutine, never concurrently, so it may
// draw a progress bar without locking; it should return quickly. A multipart
// Put counts bytes as parts complete; a Download counts them as they arrive.
// Default: no reporting.
func WithProgress(fn func(Progress)) ProgressOption { return progressOption(fn) }

// startProgress starts reporting fn's progress; it returns nil (a reporter
// that does nothing) if fn is nil.
func startProgress(fn func(Progress), total int64, totalParts int) *transfer.Progress {
	if fn == nil {
		return nil
	}
	return transfer.StartProgress(func(s transfer.Snapshot) { fn(Progress(s)) }, total, totalParts)
}
