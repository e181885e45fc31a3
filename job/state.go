package job

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"
	"time"

	"github.com/profile-export/profile-export/writer"
)

// stateVersion changes when the state's meaning changes; an older state is refused.
const stateVersion = 1

// state is the checkpoint of an unfinished run, rewritten atomically after every
// committed part. Its size does not grow with the input: the committed rows are a
// list of ranges whose length is bounded by the rows that were in flight (see
// doneSet), and parts grow with the output, one entry per part file.
type state struct {
	Version     int        `json:"version"`
	RunID       string     `json:"run_id"`
	StartedAt   time.Time  `json:"started_at"`
	Fingerprint string     `json:"fingerprint"`
	Input       inputInfo  `json:"input"`
	NextPart    int        `json:"next_part"`
	Parts       []partInfo `json:"parts"`
	Done        []seqRange `json:"done"`
	Counts      Counts     `json:"counts"`
	// OutputTemplate and RejectsTemplate are the path templates the outputs were
	// expanded from, so that --resume can find this state again.
	OutputTemplate  string `json:"output_template,omitempty"`
	RejectsTemplate string `json:"rejects_template,omitempty"`
	// Settings are the row-defining flags the fingerprint covers, so that a refused
	// resume can name those that changed. Absent from states of older builds.
	Settings *runSettings `json:"settings,omitempty"`
	// Finalizing is set once every row is committed and the final files are being
	// assembled; a resumed run then only redoes the (idempotent) assembly.
	Finalizing bool `json:"finalizing,omitempty"`
}

// inputInfo identifies the input file so that a resume with other data is refused.
type inputInfo struct {
	Path   string `json:"path"`
	Size   int64  `json:"size"`
	SHA256 string `json:"sha256"`
}

// partInfo is one committed part: a profiles file, a rejects file, or both.
type partInfo struct {
	Index    int       `json:"index"`
	Profiles *fileInfo `json:"profiles,omitempty"`
	Rejects  *fileInfo `json:"rejects,omitempty"`
}

// fileInfo describes a committed file, as the manifest lists it.
type fileInfo struct {
	Name string `json:"name"`
	// Path, in a manifest, says where a rejects part written to another directory
	// than the export's (--rejects DIR/) is: relative to the export's directory
	// ("../rejects/rejects-00000.jsonl"), or its URL when either is in object
	// storage. Empty for a file in the export's directory, the usual case.
	Path   string `json:"path,omitempty"`
	Rows   int64  `json:"rows"`
	Bytes  int64  `json:"bytes"`
	SHA256 string `json:"sha256"`
}

func loadState(ctx context.Context, st writer.Store, name string) (*state, error) {
	rc, err := st.Open(ctx, name)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, nil
		}
		return nil, fmt.Errorf("reading state: %w", err)
	}
	defer rc.Close()
	var s state
	if err := json.NewDecoder(rc).Decode(&s); err != nil {
		return nil, fmt.Errorf("reading state %s: %w (the file is damaged: remove it or pass --restart)", name, err)
	}
	if s.Version != stateVersion {
		return nil, usageErrorf("state %s has version %d, this build writes %d: finish it with the version that wrote it, or pass --restart", name, s.Version, stateVersion)
	}
	return &s, nil
}

func (s *state) save(ctx context.Context, st writer.Store, name string) error {
	b, err := json.MarshalIndent(s, "", " ")
	if err != nil {
		return err
	}
	if err := st.WriteFile(ctx, name, b); err != nil {
		return fmt.Errorf("saving state: %w", err)
	}
	return nil
}

// hashInput identifies a regular input file by size and SHA-256 of its bytes. Stdin
// cannot be identified, so a run from stdin cannot be resumed.
func hashInput(path string) (inputInfo, error) {
	if path == "-" || path == "" {
		return inputInfo{Path: "-"}, nil
	}
	f, err := os.Open(path)
	if err != nil {
		return inputInfo{}, &UsageError{Err: fmt.Errorf("opening input: %w", err)}
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, f)
	if err != nil {
		return inputInfo{}, fmt.Errorf("reading input %s: %w", path, err)
	}
	return inputInfo{Path: path, Size: n, SHA256: hex.EncodeToString(h.Sum(nil))}, nil
}

// fingerprint covers the input and every argument that decides which rows exist
// and where they go; a resume with a different fingerprint is refused. Rate,
// concurrency, retries and timeouts may change between resumes.
func fingerprint(in inputInfo, cfg *Config, l *layout) string {
	h := sha256.New()
	fmt.Fprintf(h, "v%d|%s|%d|%s|%v|%v|%q|%q|%q|%q|%v|%s|%v",
		stateVersion, in.SHA256, in.Size, l.format, l.gzip, l.dirMode,
		cfg.Reader.IDColumn, cfg.Reader.TypeColumn, cfg.Reader.Type, string(cfg.Reader.Comma),
		cfg.Dedupe, cfg.Shard, reasonsKey(cfg))
	return hex.EncodeToString(h.Sum(nil))[:16]
}

func reasonsKey(cfg *Config) string {
	var b strings.Builder
	for _, r := range cfg.Reader.Reasons {
		b.WriteString(string(r))
		b.WriteByte(',')
	}
	return b.String()
}

// runSettings are the row-defining flags of a run, as a user would write them.
type runSettings struct {
	Format     string `json:"format"` // "jsonl", "jsonl with gzip" or "parquet"
	DirMode    bool   `json:"dir_mode,omitempty"`
	IDColumn   string `json:"id_column"`
	TypeColumn string `json:"type_column"`
	Type       string `json:"type,omitempty"`
	Delimiter  string `json:"delimiter"`
	Dedupe     bool   `json:"dedupe,omitempty"`
	Shard      string `json:"shard,omitempty"`
	Reasons    string `json:"reasons"`
}

func settingsOf(cfg *Config, l *layout) *runSettings {
	s := &runSettings{
		Format:     string(l.format),
		DirMode:    l.dirMode,
		IDColumn:   cfg.Reader.IDColumn,
		TypeColumn: cfg.Reader.TypeColumn,
		Type:       string(cfg.Reader.Type),
		Delimiter:  string(cfg.Reader.Comma),
		Dedupe:     cfg.Dedupe,
		Reasons:    "all",
	}
	if l.gzip {
		s.Format += " with gzip"
	}
	switch s.Delimiter {
	case "\t":
		s.Delimiter = "tab"
	case "\x00":
		s.Delimiter = ","
	}
	if cfg.Shard.Active() {
		s.Shard = cfg.Shard.String()
	}
	if len(cfg.Reader.Reasons) > 0 {
		var rs []string
		for _, r := range cfg.Reader.Reasons {
			rs = append(rs, string(r))
		}
		s.Reasons = strings.Join(rs, ",")
	}
	return s
}

// changes describes how the settings of this run differ from those the state was
// written with, e.g. "the state was written with --format parquet; this run has
// --format jsonl"; "" when it cannot tell (an older state, or no difference).
func (s *runSettings) changes(old *runSettings) string {
	if old == nil {
		return ""
	}
	var then, now []string
	str := func(flag, a, b, none string) {
		if a == b {
			return
		}
		show := func(v string) string {
			if v == "" {
				return none
			}
			return flag + " " + v
		}
		then, now = append(then, show(a)), append(now, show(b))
	}
	str("--format", old.Format, s.Format, "")
	if old.DirMode != s.DirMode {
		dir := map[bool]string{true: "a directory --output", false: "a single-file --output"}
		then, now = append(then, dir[old.DirMode]), append(now, dir[s.DirMode])
	}
	str("--id-column", old.IDColumn, s.IDColumn, "")
	str("--type-column", old.TypeColumn, s.TypeColumn, "")
	str("--type", old.Type, s.Type, "no --type")
	str("--delimiter", old.Delimiter, s.Delimiter, "")
	if old.Dedupe != s.Dedupe {
		dd := map[bool]string{true: "--dedupe", false: "no --dedupe"}
		then, now = append(then, dd[old.Dedupe]), append(now, dd[s.Dedupe])
	}
	str("--shard", old.Shard, s.Shard, "no sharding")
	str("--reasons", old.Reasons, s.Reasons, "")
	if len(then) == 0 {
		return ""
	}
	return "the state was written with " + andList(then) + "; this run has " + andList(now)
}

// andList joins "a", "b" and "c" as "a, b and c".
func andList(items []string) string {
	if len(items) == 1 {
		return items[0]
	}
	return strings.Join(items[:len(items)-1], ", ") + " and " + items[len(items)-1]
}
