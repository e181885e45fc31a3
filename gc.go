package main

import (
	"os"
	"runtime/debug"
)

// exportGCPercent is the garbage collector's target of an export when the GOGC
// environment variable is not set. An export's live heap is small and steady
// (buffers, a Parquet row group, the rows in flight), while every request leaves
// a few KiB of garbage behind in net/http; collecting at 200% rather than Go's
// 100% halves the collections, which cost about 3 µs of CPU per row at 100%,
// for 20-30 MiB more peak memory (see bench/RESULTS.md).
const exportGCPercent = 200

// tuneGC applies exportGCPercent unless the user chose GOGC, and returns the
// percentage now in force.
func tuneGC() int {
	if _, set := os.LookupEnv("GOGC"); set {
		p := debug.SetGCPercent(-1)
		debug.SetGCPercent(p)
		return p
	}
	debug.SetGCPercent(exportGCPercent)
	return exportGCPercent
}
