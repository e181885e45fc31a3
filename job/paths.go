package job

import (
	"os"
	"path/filepath"
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

// SamePath reports whether two local paths name the same file.
func SamePath(a, b string) bool { return samePath(a, b) }
