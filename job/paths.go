package job

import (
	"os"
	"path/filepath"
	"strings"
)

// samePath reports whether two local paths name the same file: the same absolute
// path, or (when both exist) the same file through links.
func samePath(a, b string) bool {
	if a == "" || b == "" || a == "-" || b == "-" {
		return false
	}
	aa, err1 := filepath.Abs(a)
	bb, err2 := filepath.Abs(b)
	if err1 == nil && err2 == nil && aa == bb {
		return true
	}
	sa, err1 := os.Stat(a)
	sb, err2 := os.Stat(b)
	return err1 == nil && err2 == nil && os.SameFile(sa, sb)
}

// checkDistinct refuses an export whose outputs would overwrite each other or the
// input: each is a separate file, whatever --overwrite says.
func (l *layout) checkDistinct(input string) error {
	if l.dirMode || l.outDir.remote() {
		return nil
	}
	out := l.outDir.join(l.outName)
	if samePath(out, input) {
		return usageErrorf("--output %s is the input file: choose another output", out)
	}
	if l.rejectsDir.remote() {
		return nil
	}
	rej := l.rejectsDir.join(l.rejectsName)
	if samePath(rej, input) {
		return usageErrorf("the rejects file %s is the input file: choose another --rejects", rej)
	}
	if samePath(rej, out) {
		return usageErrorf("the rejects file and --output are both %s: choose another --rejects", out)
	}
	return nil
}

// Files returns the local files an export with cfg writes or reads (the input,
// and the output and rejects files in single-file mode), so that a caller writing
// files of its own, such as a summary, can refuse to overwrite them. Directory and
// object storage outputs are not listed.
func Files(cfg Config) []string {
	cfg.withDefaults()
	files := []string{cfg.Input}
	l, err := newLayout(&cfg)
	if err != nil || l.dirMode {
		return files
	}
	if !l.outDir.remote() {
		files = append(files, l.outDir.join(l.outName))
	}
	if !l.rejectsDir.remote() {
		files = append(files, l.rejectsDir.join(l.rejectsName))
	}
	return files
}

// InsideOutput reports whether the local path is inside what an export with cfg
// owns beyond its final files: in directory mode, the output directory and a
// separate rejects directory (parts, manifests, _SUCCESS markers, states, the
// lock); in single-file mode, the staging directories and lock files beside
// the output (".NAME.parts/", ".NAME-s000.parts/", ".NAME.parts.lock"), of any
// shard. A file of its own written there, such as a summary, would overwrite
// a part or the state, or make a stray file a loader finds.
func InsideOutput(cfg Config, path string) bool {
	cfg.withDefaults()
	l, err := newLayout(&cfg)
	if err != nil {
		return false
	}
	// rel is path relative to dir when it lies strictly inside it.
	rel := func(dir string) (string, bool) {
		d, err1 := filepath.Abs(dir)
		p, err2 := filepath.Abs(path)
		if err1 != nil || err2 != nil {
			return "", false
		}
		r, err := filepath.Rel(d, p)
		if err != nil || r == "." || r == ".." || strings.HasPrefix(r, ".."+string(filepath.Separator)) {
			return "", false
		}
		return r, true
	}
	if l.dirMode {
		for _, d := range []place{l.outDir, l.rejectsDir} {
			if !d.remote() {
				if _, in := rel(d.dir); in {
					return true
				}
			}
		}
		return false
	}
	if l.outDir.remote() {
		return false
	}
	r, in := rel(l.outDir.dir)
	if !in {
		return false
	}
	first, _, _ := strings.Cut(r, string(filepath.Separator))
	if strings.HasPrefix(first, "."+l.outName+".") {
		return true
	}
	tag, ok := strings.CutPrefix(first, "."+l.outName+"-s")
	return ok && tag != "" && tag[0] >= '0' && tag[0] <= '9' // a shard's: -s001
}

// SamePath reports whether two local paths name the same file.
func SamePath(a, b string) bool { return samePath(a, b) }
