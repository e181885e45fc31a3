package job

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path"
	"strings"
	"time"

	"github.com/profile-export/profile-export/outpath"
	"github.com/profile-export/profile-export/writer"
)

// runIdentity is what path templates expand from: the run's ID and start. A resumed
// run takes them from its state, so it continues into the same partition.
type runIdentity struct {
	RunID     string
	StartedAt time.Time
	// OutputTemplate and RejectsTemplate are --output and --rejects as given, before
	// expansion ("" when not templates).
	OutputTemplate, RejectsTemplate string
}

// expandTemplates expands path templates in cfg.Output and cfg.Rejects, once per
// run. With --resume, it first looks below the template's fixed root for the
// state of an unfinished run of the same template and input, and expands with
// that run's identity; if there is none, the run is new.
func expandTemplates(ctx context.Context, cfg *Config, in inputInfo) (runIdentity, error) {
	id := runIdentity{RunID: newRunID(), StartedAt: time.Now().UTC()}
	if !outpath.HasTemplate(cfg.Output) && !outpath.HasTemplate(cfg.Rejects) {
		return id, nil
	}
	id.OutputTemplate, id.RejectsTemplate = cfg.Output, cfg.Rejects
	if cfg.Resume && !cfg.Restart {
		found, err := findTemplatedRun(ctx, cfg, in)
		if err != nil {
			return id, err
		}
		if found != nil {
			id.RunID, id.StartedAt = found.RunID, found.StartedAt
		}
	}
	tag := ""
	if cfg.Shard.Active() {
		tag = fmt.Sprintf("s%03d", cfg.Shard.Index)
	}
	fields := outpath.NewFields(id.StartedAt, id.RunID, tag)
	var err error
	if cfg.Output, err = outpath.Expand(cfg.Output, fields); err != nil {
		return id, &UsageError{Err: err}
	}
	if cfg.Rejects, err = outpath.Expand(cfg.Rejects, fields); err != nil {
		return id, &UsageError{Err: err}
	}
	return id, nil
}

// findTemplatedRun lists the states below the template's root and returns the one
// left by an unfinished run of the same template, shard and input; nil if none.
func findTemplatedRun(ctx context.Context, cfg *Config, in inputInfo) (*state, error) {
	root, err := outpath.Root(cfg.Output)
	if err != nil {
		return nil, &UsageError{Err: err}
	}
	var st writer.Store
	switch {
	case root.IsURL() && root.Scheme != "file":
		bs, err := writer.NewBlobStore(ctx, root.Bucket, root.Prefix, writer.BlobOptions{})
		if err != nil {
			return nil, fmt.Errorf("listing %s for an unfinished run: %w", root, err)
		}
		defer bs.Close()
		st = bs
	default:
		dir := root.Path
		if root.Scheme == "file" {
			dir = strings.TrimPrefix(strings.SplitN(root.Bucket, "?", 2)[0], "file://")
		}
		if _, err := os.Stat(dir); err != nil {
			return nil, nil // nothing was ever written there
		}
		if st, err = writer.NewDirStore(dir, cfg.FileMode); err != nil {
			return nil, &outpath.PathError{Flag: "--output", Value: cfg.Output, What: "directory", Path: dir, Op: "open", Err: err}
		}
	}
	names, err := st.List(ctx, "")
	if err != nil {
		return nil, fmt.Errorf("listing %s for an unfinished run: %w", root, err)
	}
	stateName := "_state.json"
	if cfg.Shard.Active() {
		stateName = fmt.Sprintf("_state-s%03d.json", cfg.Shard.Index)
	}
	var matches []*state
	var where []string
	for _, name := range names {
		if path.Base(name) != stateName {
			continue
		}
		rc, err := st.Open(ctx, name)
		if err != nil {
			continue
		}
		var s state
		err = json.NewDecoder(rc).Decode(&s)
		rc.Close()
		if err != nil || s.OutputTemplate != cfg.Output || s.Input.SHA256 != in.SHA256 {
			continue
		}
		matches = append(matches, &s)
		where = append(where, name)
	}
	switch len(matches) {
	case 0:
		return nil, nil
	case 1:
		return matches[0], nil
	}
	return nil, usageErrorf("--resume found %d unfinished runs of this --output template and input (%s): resume one by passing its expanded --output, or --restart",
		len(matches), strings.Join(where, ", "))
}
