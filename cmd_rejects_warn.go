package main

import (
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"

	"github.com/profile-export/profile-export/job"
	"github.com/profile-export/profile-export/writer"
)

// warnRejectsExtension warns when the name of a --rejects file says another
// format than the one it gets: the rejects file is always uncompressed JSON Lines,
// also when it is named r.parquet, r.jsonl.gz or r.csv. Like warnFormatMismatch, it is a
// warning, not an error: the file is written as asked, under the name given.
func warnRejectsExtension(cfg job.Config, logger *slog.Logger) {
	if cfg.Rejects == "" || strings.HasSuffix(cfg.Rejects, "/") || strings.HasSuffix(cfg.Output, "/") {
		return // directory mode: the rejects parts are named by the job
	}
	if fi, err := os.Stat(cfg.Output); err == nil && fi.IsDir() {
		return
	}
	name := cfg.Rejects
	if i := strings.IndexAny(name, "?#"); i >= 0 && strings.Contains(name, "://") {
		name = name[:i] // a URL's query configures the bucket
	}
	base := filepath.Base(name)
	lower := strings.ToLower(base)
	var says string
	switch {
	case strings.HasSuffix(lower, ".gz"):
		says = "gzip"
	case strings.HasSuffix(lower, ".parquet"):
		says = string(writer.Parquet)
	case strings.HasSuffix(lower, ".csv"), strings.HasSuffix(lower, ".tsv"):
		says = "CSV" // a loader would read its lines as CSV rows
	default:
		return
	}
	logger.Warn(fmt.Sprintf("--rejects writes uncompressed JSON Lines into %s, whose extension says %s: the rejects file is always JSON Lines (name it .jsonl)", base, says))
}
