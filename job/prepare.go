package job

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"time"

	"github.com/profile-export/profile-export/writer"
)

// prepare finds the state of an unfinished run and decides, with --resume,
// --restart and --overwrite, whether to continue it or start anew. It never
// silently overwrites: an unfinished run needs --resume or --restart, and finished
// outputs need --overwrite.
func prepare(ctx context.Context, cfg *Config, l *layout, in inputInfo, id runIdentity) (*state, error) {
	fp := fingerprint(in, cfg, l)
	if l.stageExists(ctx) {
		if err := l.openStage(ctx); err != nil {
			return nil, err
		}
	}
	if err := cleanTemp(ctx, l); err != nil {
		return nil, err
	}
	var old *state
	unfinished := false // an unfinished run's state is there, maybe damaged
	if l.stageExists(ctx) {
		var err error
		if old, err = loadState(ctx, l.stage, l.stateName()); err != nil && !cfg.Restart {
			return nil, err
		}
		unfinished = old != nil || err != nil
	}
	// An export of another sharding in the same output would mix with this one.
	others, err := otherShardings(ctx, l, old != nil)
	if err != nil {
		return nil, err
	}
	if err := refuseOtherShardings(cfg, l, others); err != nil {
		return nil, err
	}

	if old != nil && !cfg.Restart {
		if !cfg.Resume && in.Path == "-" {
			return nil, usageErrorf("an unfinished run (started %s, %d rows done) left its state at %s; %s",
				old.StartedAt.Format(time.RFC3339), old.Counts.Rows, l.statePath(), RerunAdvice(true))
		}
		if !cfg.Resume {
			return nil, usageErrorf("an unfinished run (started %s, %d rows done) left its state at %s: pass --resume to continue it, or --restart to discard it and start over",
				old.StartedAt.Format(time.RFC3339), old.Counts.Rows, l.statePath())
		}
		if in.Path == "-" {
			return nil, usageErrorf("--resume needs --input to be a file: stdin cannot be checked to be the same data; pass --restart to discard the unfinished run at %s and start over", l.statePath())
		}
		if old.Input.SHA256 != in.SHA256 {
			return nil, usageErrorf("cannot resume the run whose state is at %s: it was started with a different input file (%d bytes then, %d now, and another SHA-256); run with the same input, or pass --restart to discard that run",
				l.statePath(), old.Input.Size, in.Size)
		}
		if old.Fingerprint != fp {
			if diff := settingsOf(cfg, l).changes(old.Settings); diff != "" {
				return nil, usageErrorf("cannot resume the run whose state is at %s: %s; run with the same flags, or pass --restart to discard that run",
					l.statePath(), diff)
			}
			// A state of an older build, which did not record its settings.
			return nil, usageErrorf("cannot resume the run whose state is at %s: it was started with different --id-column, --type-column, --type, --delimiter, --format, --dedupe, --shard or --reasons; run with the same ones, or pass --restart to discard it",
				l.statePath())
		}
		if err := removeOtherShardings(ctx, cfg, l, others); err != nil {
			return nil, err
		}
		if err := cleanOrphans(ctx, l, old.NextPart); err != nil {
			return nil, err
		}
		return old, nil
	}

	// A new run. What an unfinished run left (its state is there: we have
	// --restart), and in single-file mode a staging directory without a state (a
	// run died before saving its first state, or while removing the staging
	// directory at the end), is discarded. A finished output is never touched
	// without --overwrite: in directory mode its parts are the outputs, so that is
	// checked before anything else is removed.
	if unfinished || !l.dirMode {
		if err := discard(ctx, l); err != nil {
			return nil, err
		}
	}
	if !cfg.Overwrite {
		if name, flag, ok := finalExists(ctx, l); ok {
			return nil, usageErrorf("%s already exists: pass --overwrite to replace it, or choose another %s", name, flag)
		}
	}
	// With --overwrite in directory mode, the previous run's parts go now, so that
	// none is mixed into this one; so do those of an export of another sharding
	// (with --restart, its unfinished runs).
	if err := removeOtherShardings(ctx, cfg, l, others); err != nil {
		return nil, err
	}
	if err := discard(ctx, l); err != nil {
		return nil, err
	}
	if err := l.openStage(ctx); err != nil {
		return nil, err
	}
	st := &state{Version: stateVersion, RunID: id.RunID, StartedAt: id.StartedAt, Fingerprint: fp, Input: in, Settings: settingsOf(cfg, l),
		OutputTemplate: id.OutputTemplate, RejectsTemplate: id.RejectsTemplate}
	if err := st.save(ctx, l.stage, l.stateName()); err != nil {
		return nil, l.stateError(err)
	}
	return st, nil
}

// discard removes an unfinished run's state and parts (in directory mode, also the
// manifest and _SUCCESS a run killed while finalizing may have written).
//
// The state goes before the parts, so that a discard cut short never leaves a state
// whose parts are partly gone, which a --resume would trust. What is left then is a
// staging directory without a state, which the next run discards, or in directory
// mode parts without a state or _SUCCESS, which the next run refuses to touch
// without --overwrite.
func discard(ctx context.Context, l *layout) error {
	if l.stage != nil {
		if err := l.stage.Remove(ctx, l.stateName()); err != nil {
			return fmt.Errorf("removing state: %w", err)
		}
	}
	if !l.dirMode {
		return l.removeStage(ctx)
	}
	return removeOutputs(ctx, l)
}

// removeOutputs removes a run's files in directory mode (this shard's). _SUCCESS
// goes first, so that no reader trusts a directory whose parts are going.
func removeOutputs(ctx context.Context, l *layout) error {
	for _, name := range []string{l.successName(), l.manifestName()} {
		if err := l.out.Remove(ctx, name); err != nil {
			return fmt.Errorf("removing %s: %w", name, err)
		}
	}
	return cleanOrphans(ctx, l, 0)
}

// finalExists finds a final output of an earlier run: it names it, and the flag
// that chooses another path for it (--rejects for the rejects file, or for a
// rejects part in a directory that --rejects names).
func finalExists(ctx context.Context, l *layout) (name, flag string, ok bool) {
	if !l.dirMode {
		if exists(ctx, l.out, l.outName) {
			return l.display, "--output", true
		}
		if exists(ctx, l.rejects, l.rejectsName) {
			return l.rejectsName + " (the rejects file)", "--rejects", true
		}
		return "", "", false
	}
	for _, name := range []string{l.successName(), l.manifestName()} {
		if exists(ctx, l.out, name) {
			return l.display + name, "--output", true
		}
	}
	type where struct {
		st            writer.Store
		display, flag string
	}
	places := []where{{l.out, l.display, "--output"}}
	if l.rejectsDisplay != "" { // rejects parts in a directory of their own
		places = append(places, where{l.rejects, l.rejectsDisplay, "--rejects"})
	}
	for _, prefix := range []string{l.partPrefix(), l.rejectsPrefix()} {
		for _, p := range places {
			names, _ := p.st.List(ctx, prefix)
			for _, name := range names {
				if _, ok := partIndex(name, prefix); ok { // a part of ours, not any file named part-…
					return name + " (in " + p.display + ")", p.flag, true
				}
			}
		}
	}
	return "", "", false
}

func exists(ctx context.Context, st writer.Store, name string) bool {
	_, err := st.Stat(ctx, name)
	return err == nil
}

func newRunID() string {
	var b [6]byte
	_, _ = rand.Read(b[:])
	return time.Now().UTC().Format("20060102T150405Z") + "-" + hex.EncodeToString(b[:])
}
