// Package tree holds the mechanics of the directory transfers
// (s3kit's UploadDir and DownloadDir) and of the file transfers they build
// on: walking a local tree, mapping keys to paths and refusing the keys that
// would escape the target directory, include and exclude patterns, the
// comparison behind "skip unchanged", writing a file through a temporary
// file, the shared limit that schedules files, and the aggregate progress.
// It never talks to S3: the root package hands it functions to call.
package tree
