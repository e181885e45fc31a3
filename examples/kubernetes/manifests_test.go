package kubernetes_test

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	kjson "sigs.k8s.io/json"
	"sigs.k8s.io/yaml"

	"github.com/profile-export/profile-export/job"
)

// decodeStrict decodes one YAML document into obj as the API server would, and
// stricter: duplicate keys, unknown fields and fields in the wrong case are errors.
func decodeStrict(doc []byte, obj any) error {
	j, err := yaml.YAMLToJSONStrict(doc)
	if err != nil {
		return err
	}
	strict, err := kjson.UnmarshalStrict(j, obj, kjson.DisallowDuplicateFields, kjson.DisallowUnknownFields)
	if err != nil {
		return err
	}
	return errors.Join(strict...)
}

// newObject returns an empty object of the official type for a document's kind.
func newObject(tm metav1.TypeMeta) (any, error) {
	switch tm.APIVersion + " " + tm.Kind {
	case "batch/v1 CronJob":
		return &batchv1.CronJob{}, nil
	case "batch/v1 Job":
		return &batchv1.Job{}, nil
	case "v1 Secret":
		return &corev1.Secret{}, nil
	case "v1 PersistentVolumeClaim":
		return &corev1.PersistentVolumeClaim{}, nil
	case "v1 Namespace":
		return &corev1.Namespace{}, nil
	case "v1 ConfigMap":
		return &corev1.ConfigMap{}, nil
	}
	return nil, fmt.Errorf("apiVersion %q kind %q: not a kind this test knows; add it to newObject", tm.APIVersion, tm.Kind)
}

var docSep = regexp.MustCompile(`(?m)^---\s*$`)

// manifests decodes every document of every .yaml file here.
func manifests(t *testing.T) map[string][]any {
	t.Helper()
	files, err := filepath.Glob("*.yaml")
	if err != nil {
		t.Fatal(err)
	}
	more, _ := filepath.Glob("*.yml")
	files = append(files, more...)
	if len(files) == 0 {
		t.Fatal("no manifest found")
	}
	out := map[string][]any{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for i, doc := range docSep.Split(string(b), -1) {
			if strings.TrimSpace(stripComments(doc)) == "" {
				continue
			}
			var tm metav1.TypeMeta
			if err := yaml.Unmarshal([]byte(doc), &tm); err != nil {
				t.Fatalf("%s document %d: %v", f, i+1, err)
			}
			obj, err := newObject(tm)
			if err != nil {
				t.Fatalf("%s document %d: %v", f, i+1, err)
			}
			if err := decodeStrict([]byte(doc), obj); err != nil {
				t.Fatalf("%s document %d (%s): %v", f, i+1, tm.Kind, err)
			}
			out[f] = append(out[f], obj)
		}
	}
	return out
}

func stripComments(doc string) string {
	var b strings.Builder
	for _, l := range strings.Split(doc, "\n") {
		if !strings.HasPrefix(strings.TrimSpace(l), "#") {
			b.WriteString(l + "\n")
		}
	}
	return b.String()
}

// The strict decoding really is strict: the test would catch a typo.
func TestDecodingIsStrict(t *testing.T) {
	good := "apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: x\nspec:\n  completions: 2\n"
	if err := decodeStrict([]byte(good), &batchv1.Job{}); err != nil {
		t.Fatalf("a valid Job was refused: %v", err)
	}
	for name, doc := range map[string]string{
		"unknown field": strings.Replace(good, "completions", "completion", 1),
		"wrong case":    strings.Replace(good, "completions", "Completions", 1),
		"duplicate key": good + "  completions: 3\n",
		"wrong type":    strings.Replace(good, "2", "two", 1),
	} {
		if err := decodeStrict([]byte(doc), &batchv1.Job{}); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

// find returns the only object of type T among the manifests.
func find[T any](t *testing.T, all map[string][]any) T {
	t.Helper()
	var found []T
	for _, objs := range all {
		for _, o := range objs {
			if v, ok := o.(T); ok {
				found = append(found, v)
			}
		}
	}
	if len(found) != 1 {
		var zero T
		t.Fatalf("want exactly one %T among the manifests, found %d", zero, len(found))
	}
	return found[0]
}

// flagValue returns the value of --name=value in args, and whether it is there.
func flagValue(args []string, name string) (string, bool) {
	for i, a := range args {
		if v, ok := strings.CutPrefix(a, "--"+name+"="); ok {
			return v, true
		}
		if a == "--"+name && i+1 < len(args) {
			return args[i+1], true
		}
	}
	return "", false
}

func TestCronJob(t *testing.T) {
	all := manifests(t)
	cj := find[*batchv1.CronJob](t, all)
	secret := find[*corev1.Secret](t, all)
	pvc := find[*corev1.PersistentVolumeClaim](t, all)
	ns := find[*corev1.Namespace](t, all)

	for _, m := range []metav1.ObjectMeta{cj.ObjectMeta, secret.ObjectMeta, pvc.ObjectMeta} {
		if m.Namespace != ns.Name {
			t.Errorf("%s is in namespace %q, not in %q", m.Name, m.Namespace, ns.Name)
		}
	}
	if cj.Spec.ConcurrencyPolicy != batchv1.ForbidConcurrent {
		t.Errorf("concurrencyPolicy %q: two nights must not run at once", cj.Spec.ConcurrencyPolicy)
	}

	js := cj.Spec.JobTemplate.Spec
	if js.CompletionMode == nil || *js.CompletionMode != batchv1.IndexedCompletion {
		t.Fatal("completionMode is not Indexed: pods would get no JOB_COMPLETION_INDEX")
	}
	if js.Completions == nil || js.Parallelism == nil || js.BackoffLimitPerIndex == nil {
		t.Fatal("completions, parallelism and backoffLimitPerIndex must be set")
	}
	if *js.BackoffLimitPerIndex < 1 {
		t.Errorf("backoffLimitPerIndex %d: a shard must be retried (with --resume)", *js.BackoffLimitPerIndex)
	}
	if *js.Parallelism < 1 || *js.Parallelism > *js.Completions {
		t.Errorf("parallelism %d for %d completions", *js.Parallelism, *js.Completions)
	}

	pod := js.Template.Spec
	if pod.RestartPolicy != corev1.RestartPolicyNever {
		t.Errorf("restartPolicy %q: podFailurePolicy needs Never", pod.RestartPolicy)
	}
	if len(pod.Containers) != 1 {
		t.Fatalf("%d containers, want 1", len(pod.Containers))
	}
	c := pod.Containers[0]
	args := c.Args
	if len(args) == 0 || args[0] != "export" {
		t.Fatalf("args %v: want the export command first", args)
	}

	// Sharding: the count is the Job's completions; the index comes from the
	// environment Kubernetes sets, never from the manifest.
	count, ok := flagValue(args, "shard-count")
	if n, err := strconv.Atoi(count); !ok || err != nil || n != int(*js.Completions) {
		t.Errorf("--shard-count=%q but completions %d: shards would be lost or overlap", count, *js.Completions)
	}
	for _, name := range []string{"shard", "shard-index"} {
		if _, ok := flagValue(args, name); ok {
			t.Errorf("--%s in args: every pod would be the same shard; the index comes from JOB_COMPLETION_INDEX", name)
		}
	}
	if !slices.Contains(args, "--resume") {
		t.Error("no --resume: a retried pod would refuse to continue its shard")
	}

	checkFailurePolicy(t, js.PodFailurePolicy, c.Name)
	checkSecurity(t, pod, c)

	// The token comes from the Secret, as a file, and is never in the spec.
	tokenFile, ok := flagValue(args, "token-file")
	if !ok {
		t.Fatal("no --token-file")
	}
	vol := volumeAt(t, pod, c, tokenFile)
	if vol.Secret == nil || vol.Secret.SecretName != secret.Name {
		t.Fatalf("--token-file %s is not on a volume of the Secret %s", tokenFile, secret.Name)
	}
	if _, ok := secret.StringData[filepath.Base(tokenFile)]; !ok && !slices.ContainsFunc(vol.Secret.Items, func(k corev1.KeyToPath) bool { return k.Path == filepath.Base(tokenFile) }) {
		t.Errorf("the Secret volume has no file %s", filepath.Base(tokenFile))
	}
	if m := vol.Secret.DefaultMode; m == nil || *m&0o007 != 0 || *m&0o040 == 0 {
		t.Errorf("token file mode %o: want readable by the pod's group (fsGroup), by nobody else", derefMode(m))
	}
	for _, e := range c.Env {
		if strings.Contains(strings.ToUpper(e.Name), "TOKEN") {
			t.Errorf("env %s: the token must come from the mounted file", e.Name)
		}
	}

	// Output and input on the data volume.
	for _, name := range []string{"input", "output"} {
		p, ok := flagValue(args, name)
		if !ok {
			t.Fatalf("no --%s", name)
		}
		if v := volumeAt(t, pod, c, p); v.PersistentVolumeClaim == nil || v.PersistentVolumeClaim.ClaimName != pvc.Name {
			t.Errorf("--%s %s is not on the claim %s", name, p, pvc.Name)
		}
	}
	if out, _ := flagValue(args, "output"); !strings.HasSuffix(out, "/") {
		t.Errorf("--output %s: shards share a directory, so the output must be one (end in /)", out)
	}
	if *js.Completions > 1 && !slices.Contains(pvc.Spec.AccessModes, corev1.ReadWriteMany) {
		t.Error("several shards write the volume from several nodes: it must be ReadWriteMany")
	}

	// Every $(VAR) the args use is defined in the container's env, before use.
	defined := map[string]bool{}
	for _, e := range c.Env {
		defined[e.Name] = true
	}
	for _, a := range args {
		for _, m := range regexp.MustCompile(`\$\(([A-Za-z_][A-Za-z0-9_]*)\)`).FindAllStringSubmatch(a, -1) {
			if !defined[m[1]] {
				t.Errorf("arg %q uses $(%s), which the container's env does not define (it would stay literal)", a, m[1])
			}
		}
	}

	if c.Resources.Requests.Memory().IsZero() || c.Resources.Limits.Memory().IsZero() || c.Resources.Requests.Cpu().IsZero() {
		t.Error("memory request and limit and a CPU request must be set")
	}
	if !strings.Contains(c.Image, ":") || strings.HasSuffix(c.Image, ":latest") {
		t.Errorf("image %q: pin a version", c.Image)
	}
	if pod.TerminationGracePeriodSeconds == nil || *pod.TerminationGracePeriodSeconds <= int64(job.DefaultGrace.Seconds()) {
		t.Error("terminationGracePeriodSeconds must leave the job its --grace to finish and save")
	}
}

func derefMode(m *int32) int32 {
	if m == nil {
		return -1
	}
	return *m
}

// volumeAt returns the volume mounted where path lies.
func volumeAt(t *testing.T, pod corev1.PodSpec, c corev1.Container, path string) corev1.Volume {
	t.Helper()
	var best corev1.VolumeMount
	for _, m := range c.VolumeMounts {
		if strings.HasPrefix(path, strings.TrimSuffix(m.MountPath, "/")+"/") && len(m.MountPath) > len(best.MountPath) {
			best = m
		}
	}
	for _, v := range pod.Volumes {
		if best.Name != "" && v.Name == best.Name {
			return v
		}
	}
	t.Fatalf("%s is on no volume (the root filesystem is read-only)", path)
	return corev1.Volume{}
}

// checkFailurePolicy runs every exit code of profile-export through the policy as
// the Job controller does (first matching rule wins) and checks the action.
func checkFailurePolicy(t *testing.T, p *batchv1.PodFailurePolicy, container string) {
	t.Helper()
	if p == nil {
		t.Fatal("no podFailurePolicy")
	}
	want := map[int32]batchv1.PodFailurePolicyAction{
		job.ExitUsage:   batchv1.PodFailurePolicyActionFailIndex, // a retry cannot fix flags, input or state
		job.ExitFailed:  batchv1.PodFailurePolicyActionFailIndex, // outputs are final: a retry would only meet them (exit 2)
		job.ExitFatal:   batchv1.PodFailurePolicyActionFailIndex, // the token is refused: retrying hammers the API for nothing
		job.ExitError:   batchv1.PodFailurePolicyActionCount,
		job.ExitStopped: batchv1.PodFailurePolicyActionCount,
		job.ExitSIGINT:  batchv1.PodFailurePolicyActionCount,
		job.ExitSIGTERM: batchv1.PodFailurePolicyActionCount,
	}
	for code, action := range want {
		got := batchv1.PodFailurePolicyActionCount // no rule matched: the default
		for _, r := range p.Rules {
			if r.OnExitCodes != nil && matches(r.OnExitCodes, container, code) {
				got = r.Action
				break
			}
		}
		if got != action {
			t.Errorf("exit code %d: action %s, want %s", code, got, action)
		}
	}
	ignored := false
	for _, r := range p.Rules {
		for _, pc := range r.OnPodConditions {
			if pc.Type == corev1.DisruptionTarget && r.Action == batchv1.PodFailurePolicyActionIgnore {
				ignored = true
			}
		}
	}
	if !ignored {
		t.Error("a pod evicted or preempted (DisruptionTarget) should be retried without counting")
	}
}

func matches(r *batchv1.PodFailurePolicyOnExitCodesRequirement, container string, code int32) bool {
	if r.ContainerName != nil && *r.ContainerName != container {
		return false
	}
	in := slices.Contains(r.Values, code)
	if r.Operator == batchv1.PodFailurePolicyOnExitCodesOpNotIn {
		return !in
	}
	return in
}

func checkSecurity(t *testing.T, pod corev1.PodSpec, c corev1.Container) {
	t.Helper()
	psc, sc := pod.SecurityContext, c.SecurityContext
	if psc == nil || sc == nil {
		t.Fatal("pod and container securityContext must be set")
	}
	nonRoot := func(b *bool) bool { return b != nil && *b }
	if !nonRoot(psc.RunAsNonRoot) && !nonRoot(sc.RunAsNonRoot) {
		t.Error("runAsNonRoot is not set")
	}
	if psc.RunAsUser == nil || *psc.RunAsUser == 0 {
		t.Error("runAsUser must be a non-root user")
	}
	if !nonRoot(sc.ReadOnlyRootFilesystem) {
		t.Error("readOnlyRootFilesystem is not set")
	}
	if sc.AllowPrivilegeEscalation == nil || *sc.AllowPrivilegeEscalation {
		t.Error("allowPrivilegeEscalation must be false")
	}
	if sc.Capabilities == nil || !slices.Contains(sc.Capabilities.Drop, "ALL") || len(sc.Capabilities.Add) > 0 {
		t.Error("capabilities: drop ALL, add none")
	}
	seccomp := sc.SeccompProfile
	if seccomp == nil {
		seccomp = psc.SeccompProfile
	}
	if seccomp == nil || seccomp.Type != corev1.SeccompProfileTypeRuntimeDefault {
		t.Error("seccompProfile RuntimeDefault is not set")
	}
	if pod.AutomountServiceAccountToken == nil || *pod.AutomountServiceAccountToken {
		t.Error("the pod needs no Kubernetes API token: automountServiceAccountToken: false")
	}
}
