package job

import "testing"

func TestSettingsChanges(t *testing.T) {
	base := runSettings{Format: "parquet", IDColumn: "id", TypeColumn: "type", Delimiter: ",", Reasons: "failed"}
	for _, tc := range []struct {
		name string
		old  *runSettings
		edit func(*runSettings)
		want string
	}{
		{"older state", nil, func(*runSettings) {}, ""},
		{"same", &base, func(*runSettings) {}, ""},
		{"delimiter", &base, func(s *runSettings) { s.Delimiter = "tab" },
			"the state was written with --delimiter ,; this run has --delimiter tab"},
		{"type and shard", &base, func(s *runSettings) { s.Type = "tntId"; s.Shard = "1/4" },
			"the state was written with no --type and no sharding; this run has --type tntId and --shard 1/4"},
		{"three", &base, func(s *runSettings) { s.IDColumn = "visitor"; s.Format = "jsonl with gzip"; s.Dedupe = true },
			"the state was written with --format parquet, --id-column id and no --dedupe; this run has --format jsonl with gzip, --id-column visitor and --dedupe"},
	} {
		now := base
		tc.edit(&now)
		if got := now.changes(tc.old); got != tc.want {
			t.Errorf("%s:\n got %q\nwant %q", tc.name, got, tc.want)
		}
	}
}
