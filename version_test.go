package main

import (
	"runtime"
	"runtime/debug"
	"testing"
)

func TestFormatVersion(t *testing.T) {
	vcs := func(kv ...string) *debug.BuildInfo {
		info := &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}}
		for i := 0; i+1 < len(kv); i += 2 {
			info.Settings = append(info.Settings, debug.BuildSetting{Key: kv[i], Value: kv[i+1]})
		}
		return info
	}
	const rev = "52c489b8e8260183d4fc149734a39f507c6ee665"
	for _, tc := range []struct {
		name            string
		version, commit string
		info            *debug.BuildInfo
		want            string
	}{
		{"stamped by scripts/build", "v1.2.3", "abc123", vcs("vcs.revision", rev, "vcs.modified", "true"), "v1.2.3 (commit abc123, GO)"},
		{"go build in a clean checkout", "", "", vcs("vcs.revision", rev, "vcs.modified", "false"), "dev (commit 52c489b8e826, GO)"},
		{"go build in a modified checkout", "", "", vcs("vcs.revision", rev, "vcs.modified", "true"), "dev (commit 52c489b8e826-dirty, GO)"},
		{"go install of a tagged module", "", "", &debug.BuildInfo{Main: debug.Module{Version: "v1.4.0"}}, "v1.4.0 (commit unknown, GO)"},
		{"no build information", "", "", nil, "dev (commit unknown, GO)"},
		{"-buildvcs=false", "", "", vcs(), "dev (commit unknown, GO)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			want := tc.want[:len(tc.want)-len("GO)")] + runtime.Version() + ")"
			if got := formatVersion(tc.version, tc.commit, tc.info); got != want {
				t.Errorf("got %q, want %q", got, want)
			}
		})
	}
}

// `profile-export version` and `profile-export --version` print the same line.
func TestE2EVersionCommandAndFlagAgree(t *testing.T) {
	t.Parallel()
	a := run(t, nil, "version")
	a.expectCode(0)
	b := run(t, nil, "--version")
	b.expectCode(0)
	if a.stdout.String() != b.stdout.String() || a.stdout.String() == "" {
		t.Errorf("version printed %q, --version %q", a.stdout.String(), b.stdout.String())
	}
}
