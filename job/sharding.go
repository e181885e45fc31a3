package job

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// otherShard is one shard (or the unsharded whole) of an export written into this
// run's output with another sharding than this run's: an unsharded export beside a
// sharded run, a sharded one beside an unsharded run, or one of another shard
// count. Its rows would mix with this run's (duplicated, or published with half of
// them missing), so prepare refuses it or, when told, removes it.
//
// Shards of the same count are not other shardings: they are this export's sibling
// processes (a Kubernetes Indexed Job's pods), running at the same time, and never
// touched. In single-file mode, though, every shard publishes the same file, so a
// run of any other shard is one.
type otherShard struct {
	index int // the shard's index; -1 for an unsharded export
	count int // its shard count; 0 when no state or manifest tells it
	// st is the state of its unfinished run, nil when it is finished (or left
	// files without a state).
	st    *state
	files []string // its files, for messages
	l     *layout  // the layout of that shard, to remove its files
}

// sharding names the shard as a user would pass it.
func (o *otherShard) sharding() string {
	switch {
	case o.index < 0:
		return "no sharding"
	case o.count > 0:
		return fmt.Sprintf("--shard %d/%d", o.index, o.count)
	}
	return fmt.Sprintf("shard %d of a sharded export (s%03d)", o.index, o.index)
}

// shardingOf names this run's sharding as a user would pass it.
func shardingOf(s Shard) string {
	if !s.Active() {
		return "no sharding"
	}
	return "--shard " + s.String()
}

// dirShardFile matches the names of a directory export's files and captures the
// shard index of their tag (empty for an unsharded export's files).
var dirShardFile = regexp.MustCompile(`^(?:_state(?:-s(\d+))?\.json|_manifest(?:-s(\d+))?\.json|_SUCCESS(?:-s(\d+))?|(?:part|rejects)-(?:s(\d+)-)?\d{5,}\..+)$`)

// tagIndex returns the shard index a directory export's file name carries: -1 for
// an unsharded export's file; ok is false for a name of no export.
func tagIndex(name string) (int, bool) {
	m := dirShardFile.FindStringSubmatch(name)
	if m == nil {
		return 0, false
	}
	for _, g := range m[1:] {
		if g != "" {
			i, err := strconv.Atoi(g)
			return i, err == nil
		}
	}
	return -1, true
}

// forShard is l for another shard (or none) of the same output. Its stores are
// l's, except the staging store of single-file mode, which openStageOf opens.
func (l *layout) forShard(s Shard) *layout {
	o := *l
	o.shard, o.closers = s, nil
	if !l.dirMode {
		o.stageDir = l.outDir.sub("." + l.outName + o.shardTag("-") + ".parts")
		o.stage = nil
	}
	return &o
}

// shardFor makes the Shard of an index and count as otherShard holds them.
func shardFor(index, count int) Shard {
	if index < 0 {
		return Shard{}
	}
	return Shard{Index: index, Count: max(count, index+1, 2)}
}

// countOf reads the shard count from a recorded "K/N"; 0 when absent.
func countOf(s string) int {
	_, n, ok := strings.Cut(s, "/")
	if !ok {
		return 0
	}
	c, _ := strconv.Atoi(n)
	return c
}

// otherShardings finds the shards of exports with another sharding than this
// run's in its output. ownState is whether this run's own state was found: that
// one is checked by prepare with the other flags.
func otherShardings(ctx context.Context, l *layout, ownState bool) ([]*otherShard, error) {
	if l.dirMode {
		return otherDirShardings(ctx, l, ownState)
	}
	return otherStages(ctx, l)
}

func otherDirShardings(ctx context.Context, l *layout, ownState bool) ([]*otherShard, error) {
	byIndex := map[int]*otherShard{}
	add := func(names []string) {
		for _, n := range names {
			i, ok := tagIndex(n)
			if !ok {
				continue
			}
			if byIndex[i] == nil {
				byIndex[i] = &otherShard{index: i}
			}
			byIndex[i].files = append(byIndex[i].files, n)
		}
	}
	names, err := l.out.List(ctx, "")
	if err != nil {
		return nil, fmt.Errorf("looking for the files of other shardings: %w", err)
	}
	add(names)
	if !l.sameRejectsDir() {
		if names, err = l.rejects.List(ctx, "rejects-"); err != nil {
			return nil, fmt.Errorf("looking for the rejects of other shardings: %w", err)
		}
		add(names)
	}
	own, curCount := -1, 1
	if l.shard.Active() {
		own, curCount = l.shard.Index, l.shard.Count
	}
	var others []*otherShard
	for _, o := range byIndex {
		if o.index == own && ownState {
			continue // prepare compares the state's flags with this run's
		}
		o.l = l.forShard(shardFor(o.index, 0))
		if o.st, err = loadState(ctx, l.out, o.l.stateName()); err != nil {
			return nil, err
		}
		o.count = 1
		if o.index >= 0 {
			if o.count, err = recordedCount(ctx, l, o); err != nil {
				return nil, err
			}
		}
		other := o.count != curCount
		if o.count == 0 { // parts only: the index alone can tell
			other = curCount == 1 || o.index >= curCount
		}
		if other {
			o.l = l.forShard(shardFor(o.index, o.count))
			others = append(others, o)
		}
	}
	sort.Slice(others, func(i, j int) bool { return others[i].index < others[j].index })
	return others, nil
}

// recordedCount reads the shard count of a tagged shard from its state, else from
// its manifest; 0 when neither tells.
func recordedCount(ctx context.Context, l *layout, o *otherShard) (int, error) {
	if o.st != nil && o.st.Settings != nil {
		return countOf(o.st.Settings.Shard), nil
	}
	rc, err := l.out.Open(ctx, o.l.manifestName())
	if errors.Is(err, fs.ErrNotExist) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("reading %s: %w", o.l.manifestName(), err)
	}
	defer rc.Close()
	var m Manifest
	if err := json.NewDecoder(rc).Decode(&m); err != nil {
		return 0, nil // a damaged manifest: the index alone tells
	}
	return countOf(m.Shard), nil
}

// otherStages finds, in single-file mode, the staging directories of unfinished
// runs of the same output with another shard (or none): each would publish the
// same file. A staging directory without a state publishes nothing and is left.
func otherStages(ctx context.Context, l *layout) ([]*otherShard, error) {
	pat := regexp.MustCompile(`^\.` + regexp.QuoteMeta(l.outName) + `(?:-s(\d+))?\.parts$`)
	var dirs []string
	if l.outDir.remote() {
		names, err := l.out.List(ctx, "."+l.outName)
		if err != nil {
			return nil, fmt.Errorf("looking for the staging directories of other shards: %w", err)
		}
		for _, n := range names {
			if d, _, ok := strings.Cut(n, "/"); ok && (len(dirs) == 0 || dirs[len(dirs)-1] != d) {
				dirs = append(dirs, d)
			}
		}
	} else {
		ents, err := os.ReadDir(l.outDir.dir)
		if err != nil {
			return nil, fmt.Errorf("looking for the staging directories of other shards: %w", err)
		}
		for _, e := range ents {
			if e.IsDir() {
				dirs = append(dirs, e.Name())
			}
		}
	}
	var others []*otherShard
	for _, d := range dirs {
		m := pat.FindStringSubmatch(d)
		if m == nil {
			continue
		}
		o := &otherShard{index: -1}
		if m[1] != "" {
			o.index, _ = strconv.Atoi(m[1])
		}
		o.l = l.forShard(shardFor(o.index, 0))
		if o.l.stageDir == l.stageDir {
			continue // this run's own
		}
		if err := o.l.openStageOf(ctx, l); err != nil {
			return nil, err
		}
		st, err := loadState(ctx, o.l.stage, o.l.stateName())
		if err != nil {
			return nil, err
		}
		if st == nil {
			continue
		}
		o.st, o.files = st, []string{o.l.statePath()}
		o.count = 1
		if o.index >= 0 && st.Settings != nil {
			o.count = countOf(st.Settings.Shard)
		}
		if o.index >= 0 {
			o.l = l.forShard(shardFor(o.index, o.count))
			if err := o.l.openStageOf(ctx, l); err != nil {
				return nil, err
			}
		}
		others = append(others, o)
	}
	return others, nil
}

// openStageOf opens the staging store of o, a layout of another shard of l; a
// bucket connection is closed with l's.
func (o *layout) openStageOf(ctx context.Context, l *layout) error {
	st, err := o.openPlace(ctx, o.stageDir, 0o700)
	if err != nil {
		return fmt.Errorf("opening the staging directory %s: %w", o.stageDir, err)
	}
	o.stage = st
	l.closers = append(l.closers, o.closers...)
	o.closers = nil
	return nil
}
