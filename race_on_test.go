//go:build race

package s3kit_test

// raceEnabled is true when the race detector is on; heavy tests shrink.
const raceEnabled = true
