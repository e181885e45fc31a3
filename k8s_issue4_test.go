package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	batchv1 "k8s.io/api/batch/v1"
	"sigs.k8s.io/yaml"

	"github.com/profile-export/profile-export/job"
)

// The CronJob's container args are accepted by the real binary: every flag exists
// and every value parses. Each pod is run as Kubernetes would run it (its volumes
// mapped to temporary directories, its $(VARS) expanded, JOB_COMPLETION_INDEX
// set), with --dry-run added so that nothing is fetched.
func TestKubernetesArgsRun(t *testing.T) {
	t.Parallel()
	b, err := os.ReadFile("examples/kubernetes/cronjob.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var cj batchv1.CronJob
	if err := yaml.Unmarshal(b, &cj); err != nil { // strictness is examples/kubernetes' test
		t.Fatal(err)
	}
	spec := cj.Spec.JobTemplate.Spec
	c := spec.Template.Spec.Containers[0]

	root := t.TempDir()
	mounts := map[string]string{} // mount path -> temporary directory
	for _, m := range c.VolumeMounts {
		dir := filepath.Join(root, m.Name)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		mounts[m.MountPath] = dir
	}
	// remap maps a path, or the path value of a --flag=value, onto the volumes.
	remap := func(s string) string {
		prefix := ""
		if name, v, ok := strings.Cut(s, "="); ok && strings.HasPrefix(name, "--") {
			prefix, s = name+"=", v
		}
		for mp, dir := range mounts {
			if rest, ok := strings.CutPrefix(s, mp+"/"); ok {
				return prefix + dir + "/" + rest
			}
		}
		return prefix + s
	}
	write := func(path, content string) {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	flag := func(name string) string {
		for _, a := range c.Args {
			if v, ok := strings.CutPrefix(a, "--"+name+"="); ok {
				return remap(v)
			}
		}
		t.Fatalf("no --%s in the CronJob", name)
		return ""
	}
	write(flag("token-file"), "a-token\n")
	rows := genRows(100, 11)
	write(flag("input"), "")
	writeCSV(t, flag("input"), rows)

	vars := regexp.MustCompile(`\$\(([A-Za-z_][A-Za-z0-9_]*)\)`)
	for index := range int(*spec.Completions) + 1 {
		env := map[string]string{"JOB_NAME": "profile-export-29000000", "SHARD_INDEX": strconv.Itoa(index)}
		args := []string{}
		for _, a := range c.Args {
			args = append(args, vars.ReplaceAllStringFunc(remap(a), func(m string) string { return env[m[2:len(m)-1]] }))
		}
		args = append(args, "--dry-run")
		p := run(t, []string{"JOB_COMPLETION_INDEX=" + strconv.Itoa(index)}, args...)
		if index == int(*spec.Completions) {
			// An index past the count (a manifest whose completions outgrew
			// --shard-count) is refused.
			p.expectCode(job.ExitUsage)
			continue
		}
		p.expectCode(job.ExitOK)
		if want := "shard " + strconv.Itoa(index) + "/" + strconv.Itoa(int(*spec.Completions)) + ": "; !strings.Contains(p.stdout.String(), want) {
			t.Errorf("pod %d is not shard %q:\n%s", index, want, p.stdout.String())
		}
	}
}
