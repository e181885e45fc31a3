package job

import (
	"context"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/profile-export/profile-export/outpath"
	"github.com/profile-export/profile-export/writer"
)

// layout says where an export's files go.
//
// Single-file mode (-o out.parquet): parts and the state are written to a hidden
// staging directory beside the output (.out.parquet.parts/); when the input is
// exhausted the parts are assembled into out.parquet and out.rejects.jsonl, each
// renamed into place atomically, and the staging directory is removed.
//
// Directory mode (-o dir/): parts are the outputs: part-00000.parquet,
// rejects-00000.jsonl, …, each made visible atomically; the state is dir/_state.json
// while the run is unfinished, and _manifest.json then _SUCCESS are written last.
type layout struct {
	dirMode bool
	format  writer.Format
	gzip    bool
	shard   Shard

	// Set by open:
	out     writer.Store // the output directory (single-file mode: the output file's directory)
	rejects writer.Store // where rejects parts (directory mode) or the rejects file go
	stage   writer.Store // where parts and the state are written while the run goes on

	outDir, rejectsDir   place       // the directories of out and rejects, made by open
	stageDir             place       // single-file mode: the staging directory
	mode                 os.FileMode // of the files written (local files only)
	outName, rejectsName string      // single-file mode: final file names in out and rejects
	display              string      // the output as the user named it, for messages
	rejectsDisplay       string      // --rejects as the user named it ("" when not given)
	closers              []io.Closer // bucket connections to close at the end
}

// place is a directory: a local one, or a prefix in a bucket of object storage.
type place struct {
	dir            string // local path; empty when remote
	bucket, prefix string // remote: the bucket URL (with its query) and a prefix ending in "/" or empty
}

func (p place) remote() bool { return p.bucket != "" }

// sub is the directory name inside p.
func (p place) sub(name string) place {
	if p.remote() {
		return place{bucket: p.bucket, prefix: p.prefix + name + "/"}
	}
	return place{dir: filepath.Join(p.dir, name)}
}

// String names the place for messages, without the bucket URL's query.
func (p place) String() string {
	if !p.remote() {
		return p.dir
	}
	b, _, _ := strings.Cut(p.bucket, "?")
	return strings.TrimSuffix(b, "/") + "/" + p.prefix
}

// join names a file of p, for messages.
func (p place) join(name string) string {
	if !p.remote() {
		return filepath.Join(p.dir, name)
	}
	return p.String() + name
}

// parsePlace reads an --output or --rejects value into its directory and file name.
// A file:// URL is a local path: local files are written with fsync and the
// requested mode, which the generic bucket driver does not do.
func parsePlace(value string) (place, string, bool, error) {
	if !outpath.IsURL(value) {
		st, err := os.Stat(value)
		dirMode := strings.HasSuffix(value, "/") || strings.HasSuffix(value, string(os.PathSeparator)) || (err == nil && st.IsDir())
		if dirMode {
			return place{dir: filepath.Clean(value)}, "", true, nil
		}
		dir, name := filepath.Split(filepath.Clean(value))
		if dir == "" {
			dir = "."
		}
		return place{dir: filepath.Clean(dir)}, name, false, nil
	}
	loc, err := outpath.Parse(value)
	if err != nil {
		return place{}, "", false, &UsageError{Err: err}
	}
	if loc.Scheme == "file" {
		u, err := url.Parse(loc.Bucket)
		if err != nil {
			return place{}, "", false, &UsageError{Err: err}
		}
		return place{dir: filepath.Clean(u.Path)}, loc.Name, loc.Dir, nil
	}
	return place{bucket: loc.Bucket, prefix: loc.Prefix}, loc.Name, loc.Dir, nil
}

func newLayout(cfg *Config) (*layout, error) {
	if cfg.Output == "" {
		return nil, usageErrorf("--output is required")
	}
	l := &layout{shard: cfg.Shard, display: cfg.Output, rejectsDisplay: cfg.Rejects}
	outDir, outName, dirMode, err := parsePlace(cfg.Output)
	if err != nil {
		return nil, err
	}
	l.dirMode, l.outDir, l.outName = dirMode, outDir, outName
	if outDir.remote() {
		l.display = outDir.join(outName)
	}

	l.format, l.gzip = cfg.Format, cfg.Gzip
	if !l.dirMode {
		f, gz, err := writer.FormatFromPath(outName)
		switch {
		case err != nil && l.format == "":
			return nil, usageErrorf("cannot tell the output format from %q: %v; name it .jsonl, .jsonl.gz or .parquet, or pass --format", cfg.Output, err)
		case l.format == "":
			l.format, l.gzip = f, gz || cfg.Gzip
		default:
			l.gzip = l.gzip || gz
		}
	}
	if l.format == "" {
		l.format = writer.Parquet
	}
	if l.format != writer.JSONL && l.format != writer.Parquet {
		return nil, usageErrorf("unknown --format %q: want jsonl or parquet", l.format)
	}
	if l.format == writer.Parquet && l.gzip {
		return nil, usageErrorf("gzip applies to JSON Lines only; Parquet is compressed with zstd already")
	}

	l.mode = cfg.FileMode
	if l.dirMode {
		l.rejectsDir = l.outDir
		if cfg.Rejects != "" {
			// In directory mode --rejects names a directory, with or without its slash.
			v := cfg.Rejects
			if outpath.IsURL(v) {
				// The slash ends the URL's path, before its query: a slash after
				// the query would end the query's last value.
				p, q, hasQuery := strings.Cut(v, "?")
				if !strings.HasSuffix(p, "/") {
					p += "/"
				}
				if v = p; hasQuery {
					v += "?" + q
				}
			} else if !strings.HasSuffix(v, "/") && !strings.HasSuffix(v, string(os.PathSeparator)) {
				v += "/"
			}
			if l.rejectsDir, _, _, err = parsePlace(v); err != nil {
				return nil, err
			}
		}
		return l, nil
	}

	if cfg.Rejects == "" {
		l.rejectsDir, l.rejectsName = l.outDir, stem(outName)+".rejects.jsonl"
	} else {
		var rdir bool
		if l.rejectsDir, l.rejectsName, rdir, err = parsePlace(cfg.Rejects); err != nil {
			return nil, err
		}
		if rdir {
			return nil, usageErrorf("--rejects %q names a directory; with a single-file --output it names a file, e.g. rejects.jsonl", cfg.Rejects)
		}
	}
	l.stageDir = l.outDir.sub("." + outName + l.shardTag("-") + ".parts")
	return l, nil
}

// openPlace makes the store over p, creating a local directory when missing.
func (l *layout) openPlace(ctx context.Context, p place, dirMode os.FileMode) (writer.Store, error) {
	if p.remote() {
		bs, err := writer.NewBlobStore(ctx, p.bucket, p.prefix, writer.BlobOptions{})
		if err != nil {
			return nil, fmt.Errorf("opening %s: %w", p, err)
		}
		l.closers = append(l.closers, bs)
		return bs, nil
	}
	if err := os.MkdirAll(p.dir, dirMode); err != nil {
		return nil, err // an *fs.PathError, naming the directory
	}
	return writer.NewDirStore(p.dir, l.mode)
}

// open creates the output (and rejects) directories when missing and the stores
// over them. It is separate from newLayout so that a run refused for its flags or
// its input creates nothing.
func (l *layout) open(ctx context.Context) error {
	var err error
	if l.out, err = l.openPlace(ctx, l.outDir, 0o755); err != nil {
		return l.placeError(l.outDir, false, "directory", err)
	}
	l.rejects = l.out
	if l.rejectsDir != l.outDir {
		if l.rejects, err = l.openPlace(ctx, l.rejectsDir, 0o755); err != nil {
			return l.placeError(l.rejectsDir, true, "directory", err)
		}
	}
	if l.dirMode {
		l.stage = l.out
	} else if l.stageDir.remote() {
		// Opening a bucket prefix creates nothing, so the stage store exists from the
		// start; stageExists looks inside it.
		if l.stage, err = l.openPlace(ctx, l.stageDir, 0); err != nil {
			return err
		}
	}
	return nil
}

// close releases bucket connections.
func (l *layout) close() {
	for _, c := range l.closers {
		_ = c.Close()
	}
}

// openStage creates the staging directory (single-file mode) and its store.
func (l *layout) openStage(ctx context.Context) error {
	if l.dirMode || l.stage != nil {
		return nil
	}
	var err error
	if l.stage, err = l.openPlace(ctx, l.stageDir, 0o700); err != nil {
		return l.placeError(l.stageDir, false, "staging directory", err)
	}
	return nil
}

// stageExists reports whether a staging directory is there (single-file mode).
func (l *layout) stageExists(ctx context.Context) bool {
	if l.dirMode {
		return true
	}
	if l.stageDir.remote() {
		names, err := l.stage.List(ctx, "")
		return err != nil || len(names) > 0 // when in doubt, look for a state
	}
	_, err := os.Stat(l.stageDir.dir)
	return err == nil
}

// removeStage deletes the staging directory once the final files are in place.
// The state goes first, so that a removal cut short never leaves a state whose
// parts are partly gone.
func (l *layout) removeStage(ctx context.Context) error {
	if l.dirMode {
		return nil
	}
	if !l.stageDir.remote() {
		l.stage = nil // openStage makes the directory again
		return os.RemoveAll(l.stageDir.dir)
	}
	if err := l.stage.Remove(ctx, l.stateName()); err != nil {
		return err
	}
	names, err := l.stage.List(ctx, "")
	if err != nil {
		return err
	}
	for _, n := range names {
		if err := l.stage.Remove(ctx, n); err != nil {
			return err
		}
	}
	return nil
}

// stem drops the output extensions, in any case, as writer.FormatFromPath reads
// them: "out.jsonl.gz" → "out", "OUT.PARQUET" → "OUT".
func stem(name string) string {
	for _, ext := range []string{".gz", ".jsonl", ".ndjson", ".json", ".parquet"} {
		if len(name) >= len(ext) && strings.EqualFold(name[len(name)-len(ext):], ext) {
			name = name[:len(name)-len(ext)]
		}
	}
	return name
}

// shardTag returns "s003" joined by sep, or "" without sharding.
func (l *layout) shardTag(sep string) string {
	if !l.shard.Active() {
		return ""
	}
	return fmt.Sprintf("%ss%03d", sep, l.shard.Index)
}

func (l *layout) profileExt() string {
	switch {
	case l.format == writer.Parquet:
		return ".parquet"
	case l.gzip:
		return ".jsonl.gz"
	default:
		return ".jsonl"
	}
}

// partPrefix is the name prefix of this shard's profile parts: "part-" or "part-s003-".
func (l *layout) partPrefix() string { return "part-" + l.shardTag("") + sep(l.shard) }

// rejectsPrefix is the name prefix of this shard's rejects parts.
func (l *layout) rejectsPrefix() string { return "rejects-" + l.shardTag("") + sep(l.shard) }

func sep(s Shard) string {
	if s.Active() {
		return "-"
	}
	return ""
}

func (l *layout) partName(i int) string {
	return fmt.Sprintf("%s%05d%s", l.partPrefix(), i, l.profileExt())
}
func (l *layout) rejectsPart(i int) string { return fmt.Sprintf("%s%05d.jsonl", l.rejectsPrefix(), i) }
func (l *layout) stateName() string        { return "_state" + l.shardTag("-") + ".json" }
func (l *layout) manifestName() string     { return "_manifest" + l.shardTag("-") + ".json" }
func (l *layout) successName() string      { return "_SUCCESS" + l.shardTag("-") }

// statePath is where the state is, for messages.
func (l *layout) statePath() string {
	if l.dirMode {
		return l.outDir.join(l.stateName())
	}
	return l.stageDir.join(l.stateName())
}

// lockPath is the file locked while a run writes this output (and shard); empty
// for object storage, where no lock is taken (see the README).
func (l *layout) lockPath() string {
	switch {
	case l.outDir.remote():
		return ""
	case l.dirMode:
		return filepath.Join(l.outDir.dir, ".profile-export"+l.shardTag("-")+".lock")
	}
	return l.stageDir.dir + ".lock"
}

// setupLockPath is the file every run into this output locks, whatever its
// shard, while it decides what to resume, refuse or remove (see prepare), so that
// shards started at the same instant do not each remove another sharding's
// export, or judge it half removed. Empty for object storage.
func (l *layout) setupLockPath() string {
	switch {
	case l.outDir.remote():
		return ""
	case l.dirMode:
		return filepath.Join(l.outDir.dir, ".profile-export.setup.lock")
	}
	return filepath.Join(l.outDir.dir, "."+l.outName+".setup.lock")
}

// rejectsLocation says, in directory mode, where the rejects parts are as seen
// from the output directory, for the manifest: "" when they are in it (the usual
// case); when both are local, the rejects directory relative to the output
// directory ("../rejects/"), so that the two can be moved or copied together;
// otherwise the rejects directory's URL, without its query (which configures the
// client, not the place). Each ends in "/", ready for a file name.
func (l *layout) rejectsLocation() (string, error) {
	if !l.dirMode || l.sameRejectsDir() {
		return "", nil
	}
	switch {
	case l.rejectsDir.remote():
		return l.rejectsDir.String(), nil
	case l.outDir.remote():
		abs, err := filepath.Abs(l.rejectsDir.dir)
		if err != nil {
			return "", fmt.Errorf("locating the rejects directory: %w", err)
		}
		// Written as --output and --rejects take it, unescaped.
		return "file://" + filepath.ToSlash(abs) + "/", nil
	}
	out, err := filepath.Abs(l.outDir.dir)
	if err != nil {
		return "", fmt.Errorf("locating the output directory: %w", err)
	}
	rej, err := filepath.Abs(l.rejectsDir.dir)
	if err != nil {
		return "", fmt.Errorf("locating the rejects directory: %w", err)
	}
	rel, err := filepath.Rel(out, rej)
	if err != nil {
		return "", fmt.Errorf("locating the rejects directory from the output directory: %w", err)
	}
	return filepath.ToSlash(rel) + "/", nil
}

// sameRejectsDir reports whether the rejects go to the output directory, however
// each was written (dir, dir/, ./dir, /abs/dir; a bucket with another query).
func (l *layout) sameRejectsDir() bool {
	if l.rejectsDir == l.outDir {
		return true
	}
	if l.rejectsDir.remote() || l.outDir.remote() {
		return l.rejectsDir.remote() && l.outDir.remote() && l.rejectsDir.String() == l.outDir.String()
	}
	return samePath(l.rejectsDir.dir, l.outDir.dir)
}

// outputs names the final outputs, for the summary and the final message: in
// directory mode the output directory, then the rejects directory when it is
// another one.
func (l *layout) outputs() []string {
	if l.dirMode {
		if l.sameRejectsDir() {
			return []string{l.outDir.String()}
		}
		return []string{l.outDir.String(), l.rejectsDir.String()}
	}
	return []string{l.outDir.join(l.outName), l.rejectsDir.join(l.rejectsName)}
}
