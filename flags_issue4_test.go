package main

import (
	"bytes"
	"runtime"
	"strings"
	"testing"

	"github.com/urfave/cli/v2"

	"github.com/profile-export/profile-export/job"
)

// Every flag of every command can be set from the environment, with one prefix,
// and --help says so.
func TestEveryFlagHasAnEnvVar(t *testing.T) {
	for _, cmd := range []struct {
		name   string
		flags  []cli.Flag
		prefix string
	}{
		{"export", exportFlags(), envPrefix},
		{"sandbox", sandboxFlags(), envPrefix + "SANDBOX_"},
	} {
		var res result
		app := newApp(&res)
		var out bytes.Buffer
		app.Writer, app.ErrWriter = &out, &out
		if err := app.Run([]string{"profile-export", cmd.name, "--help"}); err != nil {
			t.Fatal(err)
		}
		help := out.String()
		for _, f := range cmd.flags {
			name := f.Names()[0]
			ev, ok := f.(interface{ GetEnvVars() []string })
			if !ok || len(ev.GetEnvVars()) == 0 {
				t.Errorf("%s --%s: no environment variable", cmd.name, name)
				continue
			}
			want := cmd.prefix + strings.ToUpper(strings.ReplaceAll(strings.TrimPrefix(name, "sandbox-"), "-", "_"))
			if got := ev.GetEnvVars()[0]; got != want {
				t.Errorf("%s --%s: first environment variable %s, want %s", cmd.name, name, got, want)
			}
			if !strings.Contains(help, "$"+want) {
				t.Errorf("%s --help does not show $%s", cmd.name, want)
			}
		}
	}
}

func TestVersion(t *testing.T) {
	defer func(v, c string) { version, commit = v, c }(version, commit)
	version, commit = "v1.2.3", "0123456789ab"
	for _, args := range [][]string{{"profile-export", "version"}, {"profile-export", "--version"}} {
		var res result
		app := newApp(&res)
		var out bytes.Buffer
		app.Writer = &out
		if err := app.Run(args); err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{"profile-export", "v1.2.3", "commit 0123456789ab", runtime.Version()} {
			if !strings.Contains(out.String(), want) {
				t.Errorf("%s printed %q, lacking %q", args[1], out.String(), want)
			}
		}
	}
}

// shardFrom runs parseShard on the shard flags of export.
func shardFrom(t *testing.T, args ...string) (job.Shard, error) {
	t.Helper()
	var flags []cli.Flag
	for _, f := range exportFlags() {
		if strings.HasPrefix(f.Names()[0], "shard") {
			flags = append(flags, f)
		}
	}
	var got job.Shard
	var perr error
	app := &cli.App{Name: "t", Flags: flags, Action: func(c *cli.Context) error {
		got, perr = parseShard(c)
		return nil
	}}
	if err := app.Run(append([]string{"t"}, args...)); err != nil {
		t.Fatalf("%v: %v", args, err)
	}
	return got, perr
}

func TestShardFlags(t *testing.T) {
	t.Setenv("JOB_COMPLETION_INDEX", "")
	for _, tc := range []struct {
		args []string
		want job.Shard
		err  string // in the error; "" for none
	}{
		{args: nil, want: job.Shard{}},
		{args: []string{"--shard", "2/4"}, want: job.Shard{Index: 2, Count: 4}},
		{args: []string{"--shard", " 0 / 2 "}, want: job.Shard{Index: 0, Count: 2}},
		{args: []string{"--shard-index", "1", "--shard-count", "3"}, want: job.Shard{Index: 1, Count: 3}},
		{args: []string{"--shard-count", "1"}, want: job.Shard{}},
		{args: []string{"--shard", "4/4"}, err: "0 <= K < N"},
		{args: []string{"--shard", "-1/4"}, err: "0 <= K < N"},
		{args: []string{"--shard", "1/0"}, err: "0 <= K < N"},
		{args: []string{"--shard", "2-4"}, err: "K/N"},
		{args: []string{"--shard", "a/b"}, err: "K/N"},
		{args: []string{"--shard", "1/4", "--shard-count", "4"}, err: "exclude each other"},
		{args: []string{"--shard-index", "3"}, err: "needs --shard-count"},
		{args: []string{"--shard-index", "3", "--shard-count", "3"}, err: "out of range"},
		{args: []string{"--shard-index", "-1", "--shard-count", "3"}, err: "out of range"},
		{args: []string{"--shard-count", "-2"}, err: "positive"},
	} {
		got, err := shardFrom(t, tc.args...)
		switch {
		case tc.err == "" && (err != nil || got != tc.want):
			t.Errorf("%v: got %+v, %v; want %+v", tc.args, got, err, tc.want)
		case tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)):
			t.Errorf("%v: err %v, want one saying %q", tc.args, err, tc.err)
		}
	}
}

// In a Kubernetes Indexed Job, the index comes from JOB_COMPLETION_INDEX.
func TestShardIndexFromIndexedJob(t *testing.T) {
	t.Setenv("JOB_COMPLETION_INDEX", "2")
	if got, err := shardFrom(t, "--shard-count", "4"); err != nil || got != (job.Shard{Index: 2, Count: 4}) {
		t.Errorf("got %+v, %v; want shard 2/4", got, err)
	}
	// An Indexed Job whose args forgot --shard-count: refused, rather than every pod
	// exporting every row.
	if _, err := shardFrom(t); err == nil || !strings.Contains(err.Error(), "JOB_COMPLETION_INDEX") {
		t.Errorf("index without count: err %v", err)
	}
	// An explicit --shard wins over the environment.
	if got, err := shardFrom(t, "--shard", "1/4"); err != nil || got != (job.Shard{Index: 1, Count: 4}) {
		t.Errorf("got %+v, %v; want shard 1/4", got, err)
	}
	// Our own variable wins over Kubernetes'.
	t.Setenv("PROFILE_EXPORT_SHARD_INDEX", "3")
	if got, err := shardFrom(t, "--shard-count", "4"); err != nil || got != (job.Shard{Index: 3, Count: 4}) {
		t.Errorf("got %+v, %v; want shard 3/4", got, err)
	}
	// A one-pod Indexed Job (index 0, no count) is simply not sharded.
	t.Setenv("PROFILE_EXPORT_SHARD_INDEX", "")
	t.Setenv("JOB_COMPLETION_INDEX", "0")
	if got, err := shardFrom(t); err != nil || got.Active() {
		t.Errorf("got %+v, %v; want no sharding", got, err)
	}
}
