package job

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/profile-export/profile-export/writer"
)

// Manifest is written last in directory mode (before _SUCCESS): it lists every file
// with its rows, bytes and SHA-256 so that a loader can check what it loads.
type Manifest struct {
	Version    int               `json:"version"`
	RunID      string            `json:"run_id"`
	StartedAt  time.Time         `json:"started_at"`
	FinishedAt time.Time         `json:"finished_at"`
	Format     string            `json:"format"`
	Shard      string            `json:"shard,omitempty"`
	Input      inputInfo         `json:"input"`
	Args       map[string]string `json:"args,omitempty"`
	Parts      []fileInfo        `json:"parts"`
	Rejects    []fileInfo        `json:"rejects"`
	Counts     Counts            `json:"counts"`
}

// finalize turns a run whose rows are all committed into final outputs. It is
// idempotent: a run killed while finalizing redoes it on resume.
func finalize(ctx context.Context, r *run) ([]string, error) {
	ctx = context.WithoutCancel(ctx) // a stop asked now would only leave more to redo
	st, l := r.st, r.l
	if !st.Finalizing {
		st.Finalizing = true
		if err := st.save(ctx, l.stage, l.stateName()); err != nil {
			return nil, err
		}
	}
	var profiles, rejects []string
	for _, p := range st.Parts {
		if p.Profiles != nil {
			profiles = append(profiles, p.Profiles.Name)
		}
		if p.Rejects != nil {
			rejects = append(rejects, p.Rejects.Name)
		}
	}
	if l.dirMode {
		return finalizeDir(ctx, r)
	}
	if err := assemble(ctx, l.out, l.outName, l.stage, profiles, l.format, l.gzip); err != nil {
		return nil, fmt.Errorf("assembling %s: %w", l.outName, err)
	}
	if err := assemble(ctx, l.rejects, l.rejectsName, l.stage, rejects, writer.JSONL, false); err != nil {
		return nil, fmt.Errorf("assembling %s: %w", l.rejectsName, err)
	}
	// The state goes first: a run killed while the staging directory is being
	// removed must not leave a state whose parts are partly gone (a resume would
	// then fail to assemble them). A staging directory without a state is
	// discarded by the next run.
	if err := l.stage.Remove(ctx, l.stateName()); err != nil {
		return nil, fmt.Errorf("removing state: %w", err)
	}
	if err := l.removeStage(ctx); err != nil {
		return nil, fmt.Errorf("removing staging directory: %w", err)
	}
	return l.outputs(), nil
}

func finalizeDir(ctx context.Context, r *run) ([]string, error) {
	st, l := r.st, r.l
	m := Manifest{
		Version: 1, RunID: st.RunID, StartedAt: st.StartedAt, FinishedAt: time.Now().UTC(),
		Format: string(l.format), Input: st.Input, Args: r.cfg.Args, Counts: st.Counts,
		Parts: []fileInfo{}, Rejects: []fileInfo{},
	}
	if l.gzip {
		m.Format += "+gzip"
	}
	if l.shard.Active() {
		m.Shard = l.shard.String()
	}
	rejectsAt, err := l.rejectsLocation()
	if err != nil {
		return nil, fmt.Errorf("writing manifest: %w", err)
	}
	for _, p := range st.Parts {
		if p.Profiles != nil {
			m.Parts = append(m.Parts, *p.Profiles)
		}
		if p.Rejects != nil {
			f := *p.Rejects
			if rejectsAt != "" {
				f.Path = rejectsAt + f.Name
			}
			m.Rejects = append(m.Rejects, f)
		}
	}
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return nil, err
	}
	if err := l.out.WriteFile(ctx, l.manifestName(), append(b, '\n')); err != nil {
		return nil, fmt.Errorf("writing manifest: %w", err)
	}
	if err := l.out.WriteFile(ctx, l.successName(), nil); err != nil {
		return nil, fmt.Errorf("writing %s: %w", l.successName(), err)
	}
	if err := l.stage.Remove(ctx, l.stateName()); err != nil {
		return nil, fmt.Errorf("removing state: %w", err)
	}
	return l.outputs(), nil
}

// assemble concatenates parts of src into the file name of dst, made visible
// atomically. With no parts it writes a valid empty file of the format.
func assemble(ctx context.Context, dst writer.Store, name string, src writer.Store, parts []string, format writer.Format, gz bool) error {
	var opened []writer.Part
	defer func() {
		for _, p := range opened {
			p.(writer.Reader).Close()
		}
	}()
	for _, p := range parts {
		r, err := src.Open(ctx, p)
		if err != nil {
			return fmt.Errorf("opening part: %w", err)
		}
		opened = append(opened, r)
	}
	f, err := dst.Create(ctx, name)
	if err != nil {
		return err
	}
	defer f.Abort() // a no-op once committed
	if len(parts) == 0 && format == writer.Parquet {
		enc := writer.NewParquet(f, writer.ParquetOptions{})
		if err := enc.Close(); err != nil {
			return err
		}
	} else if err := writer.Concatenate(ctx, f, format, gz, opened); err != nil {
		return err
	}
	return f.Commit()
}
