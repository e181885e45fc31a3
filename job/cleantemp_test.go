package job

import (
	"context"
	"os"
	"path/filepath"
	"sort"
	"testing"
	"time"
)

// cleanTemp removes the temporary files of this export's own names only: those of
// other shards and other exports in the same directory are being written right now.
func TestCleanTempSparesOthers(t *testing.T) {
	for _, tc := range []struct {
		name   string
		output string // relative to the test directory
		shard  Shard
		files  []string // present before
		want   []string // left after
	}{
		{
			name: "single-file", output: "out.parquet",
			files: []string{
				".out.parquet.tmp-1", ".out.rejects.jsonl.tmp-2", // ours: a killed assembly
				".out.parquet.parts/.part-00003.parquet.tmp-3",                           // ours: a killed part
				".other.parquet.tmp-4", ".other.parquet.parts/.part-00001.parquet.tmp-5", // another export's
				"sub/.x.tmp-6", ".notes.tmp-7", "out.parquet.tmp-8", // not ours
			},
			want: []string{".other.parquet.parts/.part-00001.parquet.tmp-5", ".other.parquet.tmp-4", ".out.parquet.parts/_state.json", "out.parquet.tmp-8", ".notes.tmp-7", "sub/.x.tmp-6"},
		},
		{
			name: "directory-shard-1", output: "d/", shard: Shard{Index: 1, Count: 3},
			files: []string{
				"d/.part-s001-00004.parquet.tmp-1", "d/.rejects-s001-00004.jsonl.tmp-2", "d/._state-s001.json.tmp-3", // ours
				"d/.part-s000-00004.parquet.tmp-4", "d/.rejects-s002-00001.jsonl.tmp-5", "d/._state-s000.json.tmp-6", // other shards'
				"d/.part-00001.parquet.tmp-7", // an unsharded run's
			},
			want: []string{"d/.part-00001.parquet.tmp-7", "d/.part-s000-00004.parquet.tmp-4", "d/._state-s000.json.tmp-6", "d/_state-s001.json", "d/.rejects-s002-00001.jsonl.tmp-5"},
		},
		{
			name: "directory", output: "d/",
			files: []string{
				"d/.part-00001.parquet.tmp-1", "d/._manifest.json.tmp-2", "d/._SUCCESS.tmp-3", // ours
				"d/.part-s000-00004.parquet.tmp-4", // a sharded run's
			},
			want: []string{"d/.part-s000-00004.parquet.tmp-4", "d/_state.json"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			root := t.TempDir()
			for _, f := range tc.files {
				p := filepath.Join(root, f)
				if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(p, []byte("x"), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			input := filepath.Join(t.TempDir(), "ids.csv")
			if err := os.WriteFile(input, []byte("id,type\n"), 0o600); err != nil {
				t.Fatal(err)
			}
			cfg := Config{Input: input, Output: filepath.Join(root, tc.output), Shard: tc.shard}
			if tc.output == "d/" {
				cfg.Output += "/"
			}
			cfg.withDefaults()
			l, err := newLayout(&cfg)
			if err != nil {
				t.Fatal(err)
			}
			if err := l.open(context.Background()); err != nil {
				t.Fatal(err)
			}
			info, err := hashInput(input)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := prepare(context.Background(), &cfg, l, info, runIdentity{RunID: "test", StartedAt: time.Now()}); err != nil {
				t.Fatal(err)
			}
			var got []string
			_ = filepath.Walk(root, func(p string, fi os.FileInfo, err error) error {
				if err == nil && !fi.IsDir() {
					rel, _ := filepath.Rel(root, p)
					got = append(got, rel)
				}
				return err
			})
			sort.Strings(got)
			want := append([]string(nil), tc.want...)
			sort.Strings(want)
			if len(got) != len(want) {
				t.Fatalf("left %q, want %q", got, want)
			}
			for i := range got {
				if got[i] != want[i] {
					t.Fatalf("left %q, want %q", got, want)
				}
			}
		})
	}
}
