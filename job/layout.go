package job

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

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

	outDir, rejectsDir   string      // the directories of out and rejects, made by open
	mode                 os.FileMode // of the files written
	outName, rejectsName string      // single-file mode: final file names in out and rejects
	stageDir             string      // single-file mode: the staging directory path
	display              string      // the output as the user named it, for messages
}

func newLayout(cfg *Config) (*layout, error) {
	if cfg.Output == "" {
		return nil, usageErrorf("--output is required")
	}
	l := &layout{shard: cfg.Shard, display: cfg.Output}
	st, statErr := os.Stat(cfg.Output)
	l.dirMode = strings.HasSuffix(cfg.Output, "/") || strings.HasSuffix(cfg.Output, string(os.PathSeparator)) || (statErr == nil && st.IsDir())

	l.format, l.gzip = cfg.Format, cfg.Gzip
	if !l.dirMode {
		f, gz, err := writer.FormatFromPath(cfg.Output)
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
		l.outDir = filepath.Clean(cfg.Output)
		l.rejectsDir = l.outDir
		if cfg.Rejects != "" {
			l.rejectsDir = filepath.Clean(cfg.Rejects)
		}
		return l, nil
	}

	dir, name := filepath.Split(filepath.Clean(cfg.Output))
	if dir == "" {
		dir = "."
	}
	l.outDir, l.outName = dir, name
	rej := cfg.Rejects
	if rej == "" {
		rej = filepath.Join(dir, stem(name)+".rejects.jsonl")
	}
	rdir, rname := filepath.Split(filepath.Clean(rej))
	if rdir == "" {
		rdir = "."
	}
	l.rejectsDir, l.rejectsName = rdir, rname
	l.stageDir = filepath.Join(dir, "."+name+l.shardTag("-")+".parts")
	return l, nil
}

// open creates the output (and rejects) directories when missing and the stores
// over them. It is separate from newLayout so that a run refused for its flags or
// its input creates nothing.
func (l *layout) open() error {
	var err error
	if l.dirMode {
		if err := os.MkdirAll(l.outDir, 0o755); err != nil {
			return fmt.Errorf("creating output directory: %w", err)
		}
		if l.out, err = writer.NewDirStore(l.outDir, l.mode); err != nil {
			return err
		}
		l.stage, l.rejects = l.out, l.out
		if l.rejectsDir != l.outDir {
			if err := os.MkdirAll(l.rejectsDir, 0o755); err != nil {
				return fmt.Errorf("creating rejects directory: %w", err)
			}
			if l.rejects, err = writer.NewDirStore(l.rejectsDir, l.mode); err != nil {
				return err
			}
		}
		return nil
	}
	if l.out, err = writer.NewDirStore(l.outDir, l.mode); err != nil {
		return fmt.Errorf("output directory: %w", err)
	}
	if l.rejects, err = writer.NewDirStore(l.rejectsDir, l.mode); err != nil {
		return fmt.Errorf("rejects directory: %w", err)
	}
	return nil
}

// openStage creates the staging directory (single-file mode) and its store.
func (l *layout) openStage(mode os.FileMode) error {
	if l.dirMode {
		return nil
	}
	if err := os.MkdirAll(l.stageDir, 0o700); err != nil {
		return fmt.Errorf("creating staging directory: %w", err)
	}
	var err error
	l.stage, err = writer.NewDirStore(l.stageDir, mode)
	return err
}

// stageExists reports whether a staging directory is there (single-file mode).
func (l *layout) stageExists() bool {
	if l.dirMode {
		return true
	}
	_, err := os.Stat(l.stageDir)
	return err == nil
}

// removeStage deletes the staging directory once the final files are in place.
func (l *layout) removeStage() error {
	if l.dirMode {
		return nil
	}
	return os.RemoveAll(l.stageDir)
}

// stem drops the output extensions: "out.jsonl.gz" → "out".
func stem(name string) string {
	for _, ext := range []string{".gz", ".jsonl", ".ndjson", ".json", ".parquet"} {
		name = strings.TrimSuffix(name, ext)
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
		return filepath.Join(l.display, l.stateName())
	}
	return filepath.Join(l.stageDir, l.stateName())
}

// lockPath is the file locked while a run writes this output (and shard).
func (l *layout) lockPath() string {
	if l.dirMode {
		return filepath.Join(filepath.Clean(l.display), ".profile-export"+l.shardTag("-")+".lock")
	}
	return l.stageDir + ".lock"
}
