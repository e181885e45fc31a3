package job

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/profile-export/profile-export/fetch"
	"github.com/profile-export/profile-export/fetch/sandbox"
	"github.com/profile-export/profile-export/writer"
)

func TestTagIndex(t *testing.T) {
	for name, want := range map[string]int{
		"_state.json": -1, "_manifest.json": -1, "_SUCCESS": -1, "part-00012.parquet": -1, "rejects-00000.jsonl": -1,
		"_state-s003.json": 3, "_manifest-s010.json": 10, "_SUCCESS-s001": 1, "part-s002-00000.jsonl.gz": 2,
		"rejects-s1234-00007.jsonl": 1234,
	} {
		if got, ok := tagIndex(name); !ok || got != want {
			t.Errorf("tagIndex(%q) = %d, %v; want %d", name, got, ok, want)
		}
	}
	for _, name := range []string{"notes.txt", "part-x.parquet", "_SUCCESS.bak", ".part-00000.parquet.tmp-1", "part-s001.parquet"} {
		if _, ok := tagIndex(name); ok {
			t.Errorf("tagIndex(%q) takes it for an export's file", name)
		}
	}
}

// --overwrite does not pull an export of another sharding from under a run that
// is writing it (its lock is held): the run is refused and nothing is removed.
func TestOverwriteOtherShardingWhileItRuns(t *testing.T) {
	srv := sandbox.StartTest(t, sandbox.Config{})
	out := t.TempDir() + "/out/"
	cfg := Config{Input: writeIDs(t, 300), Output: out, Format: writer.JSONL, Rate: -1, Concurrency: 4,
		RowsPerFile: 100, Fetch: fetch.Config{BaseURL: srv.URL}}
	if _, err := Run(context.Background(), cfg); err != nil {
		t.Fatal(err)
	}
	before := outcomesInDir(t, out)
	lock, lerr := lockOutput(filepath.Join(out, ".profile-export.lock"), func(op string, err error) error { return err })
	if lerr != nil {
		t.Fatal(lerr)
	}
	defer lock.release(true)
	sharded := cfg
	sharded.Shard, sharded.Overwrite = Shard{Index: 1, Count: 2}, true
	sum, err := Run(context.Background(), sharded)
	if ExitCode(sum, err) != ExitUsage || !strings.Contains(err.Error(), "removing the export with no sharding") || !strings.Contains(err.Error(), "is held") {
		t.Fatalf("got exit %d, %v; want exit 2 saying the unsharded export's lock is held", ExitCode(sum, err), err)
	}
	if got := outcomesInDir(t, out); len(got) != len(before) || len(got) != 300 {
		t.Errorf("the refused run left %d of the %d rows", len(got), len(before))
	}
	for _, name := range []string{"_SUCCESS", "_manifest.json"} {
		if _, err := os.Stat(filepath.Join(out, name)); err != nil {
			t.Errorf("the refused run removed %s: %v", name, err)
		}
	}
	if names, _ := filepath.Glob(filepath.Join(out, "*s001*")); len(names) != 0 {
		t.Errorf("the refused run left %v", names)
	}
}
