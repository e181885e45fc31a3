package job

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/profile-export/profile-export/writer"
)

// tempInfix marks a DirStore's temporary file: ".<name>.tmp-<random>" beside name
// (see writer.DirStore).
const tempInfix = ".tmp-"

// cleanTemp removes the temporary files that interrupted writes of an earlier run of
// this export (this output and shard) left behind.
//
// The staging directory of single-file mode belongs to this export alone and is
// cleaned whole. The output and rejects directories are shared: other shards write
// their parts into the same directory, and other exports their files and staging
// directories beside this one's, at the same time. There only the temporary files of
// this export's own names are removed (the run lock makes them this process's);
// Store.CleanTemp would also remove the files others are writing right now.
func cleanTemp(ctx context.Context, l *layout) error {
	if !l.dirMode && l.stage != nil {
		if _, err := l.stage.CleanTemp(ctx); err != nil {
			return fmt.Errorf("removing temporary files of a dead run: %w", err)
		}
	}
	type own struct {
		st    writer.Store
		match func(base string) bool
	}
	var owns []own
	if l.dirMode {
		names := func(base string) bool {
			for _, n := range []string{l.stateName(), l.manifestName(), l.successName()} {
				if strings.HasPrefix(base, "."+n+tempInfix) {
					return true
				}
			}
			return numbered(base, "."+l.partPrefix()) || numbered(base, "."+l.rejectsPrefix())
		}
		owns = append(owns, own{l.out, names})
		if l.rejects != l.out {
			owns = append(owns, own{l.rejects, func(base string) bool { return numbered(base, "."+l.rejectsPrefix()) }})
		}
	} else {
		owns = append(owns,
			own{l.out, func(base string) bool { return strings.HasPrefix(base, "."+l.outName+tempInfix) }},
			own{l.rejects, func(base string) bool { return strings.HasPrefix(base, "."+l.rejectsName+tempInfix) }})
	}
	for _, o := range owns {
		ds, ok := o.st.(*writer.DirStore)
		if !ok {
			continue // a store without temporary files (object storage)
		}
		dir := ds.Path(".")
		ents, err := os.ReadDir(dir)
		if err != nil {
			return fmt.Errorf("removing temporary files of a dead run: %w", err)
		}
		for _, e := range ents {
			if !e.Type().IsRegular() || !strings.Contains(e.Name(), tempInfix) || !o.match(e.Name()) {
				continue
			}
			if err := os.Remove(filepath.Join(dir, e.Name())); err != nil && !errors.Is(err, fs.ErrNotExist) {
				return fmt.Errorf("removing temporary file of a dead run: %w", err)
			}
		}
	}
	return nil
}

// numbered reports whether base is prefix followed by a digit: ".part-00012…" is of
// the prefix ".part-", ".part-s001-00012…" is not.
func numbered(base, prefix string) bool {
	return strings.HasPrefix(base, prefix) && len(base) > len(prefix) && base[len(prefix)] >= '0' && base[len(prefix)] <= '9'
}
