package main

import (
	"bytes"
	"debug/elf"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// The release build (scripts/build, which the Dockerfile runs and the README
// documents) makes a static, stripped, path-free binary that prints the version
// and commit it was given.
func TestReleaseBuild(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the release binary: a minute or more on a cold build cache")
	}
	if runtime.GOOS != "linux" {
		t.Skip("checks a Linux ELF binary")
	}
	t.Parallel()
	out := filepath.Join(t.TempDir(), "profile-export")
	cmd := exec.Command("scripts/build")
	var env []string
	for _, kv := range cleanEnv() {
		if !strings.HasPrefix(kv, "GOOS=") && !strings.HasPrefix(kv, "GOARCH=") && !strings.HasPrefix(kv, "PATH=") {
			env = append(env, kv)
		}
	}
	cmd.Env = append(env, "OUT="+out, "VERSION=v9.8.7-test", "COMMIT=fedcba987654",
		"PATH="+filepath.Dir(goTool())+string(os.PathListSeparator)+os.Getenv("PATH"))
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("scripts/build: %v\n%s", err, b)
	}

	f, err := elf.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP || p.Type == elf.PT_DYNAMIC {
			t.Errorf("the binary has a %v program header: it is dynamically linked and would not run on a distroless/static image", p.Type)
		}
	}
	if f.Section(".dynamic") != nil || f.Section(".interp") != nil {
		t.Error("the binary has a .dynamic or .interp section: not static")
	}
	if f.Section(".symtab") != nil {
		t.Error("the binary keeps its symbol table: -s was not applied")
	}
	bin, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if wd, _ := os.Getwd(); bytes.Contains(bin, []byte(wd+"/")) {
		t.Errorf("the binary holds the build directory %s: -trimpath was not applied", wd)
	}

	for _, args := range [][]string{{"version"}, {"--version"}} {
		b, err := exec.Command(out, args...).CombinedOutput()
		if err != nil {
			t.Fatalf("%s %s: %v\n%s", out, args[0], err, b)
		}
		for _, want := range []string{"v9.8.7-test", "commit fedcba987654", runtime.Version()} {
			if !bytes.Contains(b, []byte(want)) {
				t.Errorf("%s printed %q, lacking %q", args[0], b, want)
			}
		}
	}
}

// dockerInstructions reads a Dockerfile into instructions, continuation lines
// joined and comments dropped.
func dockerInstructions(t *testing.T, path string) [][2]string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var out [][2]string
	var cur strings.Builder
	for _, l := range strings.Split(string(b), "\n") {
		l = strings.TrimSpace(l)
		if strings.HasPrefix(l, "#") || (l == "" && cur.Len() == 0) {
			continue
		}
		if s, ok := strings.CutSuffix(l, "\\"); ok {
			cur.WriteString(s + " ")
			continue
		}
		cur.WriteString(l)
		ins, rest, _ := strings.Cut(strings.TrimSpace(cur.String()), " ")
		out = append(out, [2]string{strings.ToUpper(ins), strings.TrimSpace(rest)})
		cur.Reset()
	}
	return out
}

// The image is built by scripts/build and nothing else, from a static base with
// CA certificates, as a non-root user, with the binary as entrypoint.
func TestDockerfile(t *testing.T) {
	t.Parallel()
	var stage, copied string
	builds, stages := 0, 0
	var user, entry string
	for _, in := range dockerInstructions(t, "Dockerfile") {
		switch in[0] {
		case "FROM":
			stage = in[1]
			stages++
		case "RUN":
			if strings.Contains(in[1], "go build") {
				t.Errorf("RUN %s: build with scripts/build, the documented command, not another one", in[1])
			}
			if strings.Contains(in[1], "scripts/build") {
				builds++
			}
		case "COPY":
			if strings.Contains(in[1], "--from=") {
				f := strings.Fields(in[1])
				copied = f[len(f)-1]
			}
		case "USER":
			user = in[1]
		case "ENTRYPOINT":
			entry = in[1]
		}
	}
	if stages < 2 || builds != 1 {
		t.Errorf("want a multi-stage build whose build stage runs scripts/build once; %d stages, %d runs", stages, builds)
	}
	if !strings.HasPrefix(stage, "gcr.io/distroless/static") && stage != "scratch" {
		t.Errorf("final stage FROM %s: want distroless/static (CA certificates, no shell)", stage)
	}
	if user == "" || strings.HasPrefix(user, "root") || strings.HasPrefix(user, "0") {
		t.Errorf("USER %q: the image must run as a non-root user", user)
	}
	if entry != `["`+copied+`"]` {
		t.Errorf("ENTRYPOINT %s: want the exec form of the binary copied in (%s)", entry, copied)
	}

	script, err := os.ReadFile("scripts/build")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"CGO_ENABLED=0", "-trimpath", "-s -w", "-X main.version=", "-X main.commit="} {
		if !bytes.Contains(script, []byte(want)) {
			t.Errorf("scripts/build lacks %s", want)
		}
	}
	ignore, err := os.ReadFile(".dockerignore")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains("\n"+string(ignore)+"\n", "\n.git\n") {
		t.Error(".dockerignore does not keep .git out of the build context")
	}
}
