package writer

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"syscall"
)

// DefaultFileMode is the permission of files a DirStore creates when none is
// given: readable by the owner only, as profiles are personal data.
const DefaultFileMode os.FileMode = 0o600

// tempInfix marks the temporary files of a DirStore: ".<name>.tmp-<random>".
const tempInfix = ".tmp-"

// writeBuffer is the size of the buffer in front of a DirStore file.
const writeBuffer = 256 << 10

// DirStore is a Store in a local directory. A file is written to a temporary
// ".<name>.tmp-<random>" beside its final name, through a buffer; Commit
// flushes it, fsyncs it, renames it onto its name and fsyncs the directory, so
// that after a crash the name holds either the previous file or the new one,
// whole.
type DirStore struct {
	dir     string
	mode    os.FileMode
	dirMode os.FileMode

	mu   sync.Mutex
	live map[string]bool // temporary files being written, spared by CleanTemp
}

var _ Store = (*DirStore)(nil)

// NewDirStore returns a store of the files in dir, creating dir if needed.
// Files are created with permission mode (DefaultFileMode when 0) and
// directories with the same permission plus search (x) wherever mode grants
// read: 0700 for 0600, 0755 for 0644.
func NewDirStore(dir string, mode os.FileMode) (*DirStore, error) {
	if mode == 0 {
		mode = DefaultFileMode
	}
	mode = mode.Perm()
	dirMode := mode | (mode&0o444)>>2
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("output directory: %w", err)
	}
	if _, err := os.Stat(abs); errors.Is(err, fs.ErrNotExist) {
		if err := os.MkdirAll(abs, dirMode); err != nil {
			return nil, fmt.Errorf("output directory: %w", err)
		}
		if err := os.Chmod(abs, dirMode); err != nil { // exactly, whatever the umask
			return nil, fmt.Errorf("output directory: %w", err)
		}
	}
	if st, err := os.Stat(abs); err != nil {
		return nil, fmt.Errorf("output directory: %w", err)
	} else if !st.IsDir() {
		return nil, fmt.Errorf("output directory %s: not a directory", abs)
	}
	return &DirStore{dir: abs, mode: mode, dirMode: dirMode, live: map[string]bool{}}, nil
}

// Path returns the local path of name in the store.
func (s *DirStore) Path(name string) string {
	return filepath.Join(s.dir, filepath.FromSlash(name))
}

// checkName refuses names that are not valid slash-separated relative paths
// (fs.ValidPath), or that end in a directory.
func checkName(name string) error {
	if !fs.ValidPath(name) || name == "." || strings.HasSuffix(name, "/") {
		return fmt.Errorf("invalid file name %q: want a relative slash-separated path without . or .. elements", name)
	}
	return nil
}

// Create starts writing name; see Store.Create.
func (s *DirStore) Create(ctx context.Context, name string) (File, error) {
	if err := checkName(name); err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("create %s: %w", name, err)
	}
	final := s.Path(name)
	dir := filepath.Dir(final)
	if err := s.mkdirAll(dir); err != nil {
		return nil, fmt.Errorf("create %s: %w", name, err)
	}
	// CreateTemp opens with O_EXCL and mode 0600 (less the umask); the mode is
	// then set exactly, before any byte is written.
	f, err := os.CreateTemp(dir, "."+filepath.Base(final)+tempInfix+"*")
	if err != nil {
		return nil, fmt.Errorf("create %s: %w", name, err)
	}
	if err := f.Chmod(s.mode); err != nil {
		f.Close()
		os.Remove(f.Name())
		return nil, fmt.Errorf("create %s: %w", name, err)
	}
	s.mu.Lock()
	s.live[f.Name()] = true
	s.mu.Unlock()
	h := sha256.New()
	return &dirFile{
		ctx: ctx, store: s, name: name, final: final, f: f,
		buf: bufio.NewWriterSize(f, writeBuffer), hash: h,
	}, nil
}

// mkdirAll creates dir and its missing parents inside the store, and makes
// their entries durable (a committed file in a new directory would otherwise
// vanish with its directory after a crash).
func (s *DirStore) mkdirAll(dir string) error {
	var missing []string
	for d := dir; d != s.dir && len(d) > len(s.dir); d = filepath.Dir(d) {
		if _, err := os.Stat(d); err == nil {
			break
		}
		missing = append(missing, d)
	}
	if len(missing) == 0 {
		return nil
	}
	if err := os.MkdirAll(dir, s.dirMode); err != nil {
		return err
	}
	for _, d := range missing {
		if err := os.Chmod(d, s.dirMode); err != nil { // exactly, whatever the umask
			return err
		}
		if err := syncDir(filepath.Dir(d)); err != nil {
			return fmt.Errorf("fsync directory: %w", err)
		}
	}
	return nil
}

// WriteFile writes name atomically; see Store.WriteFile.
func (s *DirStore) WriteFile(ctx context.Context, name string, data []byte) error {
	f, err := s.Create(ctx, name)
	if err != nil {
		return err
	}
	defer f.Abort()
	if _, err := f.Write(data); err != nil {
		return err
	}
	return f.Commit()
}

// Open opens a committed file; see Store.Open.
func (s *DirStore) Open(ctx context.Context, name string) (Reader, error) {
	if err := checkName(name); err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("open %s: %w", name, err)
	}
	f, err := os.Open(s.Path(name))
	if err != nil {
		return nil, err // *fs.PathError names the file; wraps fs.ErrNotExist
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	if !st.Mode().IsRegular() {
		f.Close()
		return nil, fmt.Errorf("open %s: not a regular file", name)
	}
	return &dirReader{File: f, size: st.Size()}, nil
}

// dirReader is an *os.File that knows its size.
type dirReader struct {
	*os.File
	size int64
}

func (r *dirReader) Size() int64 { return r.size }

// Stat describes a committed file; see Store.Stat.
func (s *DirStore) Stat(ctx context.Context, name string) (Info, error) {
	if err := checkName(name); err != nil {
		return Info{}, err
	}
	if err := ctx.Err(); err != nil {
		return Info{}, fmt.Errorf("stat %s: %w", name, err)
	}
	st, err := os.Stat(s.Path(name))
	if err != nil {
		return Info{}, err
	}
	if !st.Mode().IsRegular() {
		return Info{}, fmt.Errorf("stat %s: not a regular file", name)
	}
	return Info{Size: st.Size(), ModTime: st.ModTime()}, nil
}

// Remove deletes a file; see Store.Remove.
func (s *DirStore) Remove(ctx context.Context, name string) error {
	if err := checkName(name); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("remove %s: %w", name, err)
	}
	if err := os.Remove(s.Path(name)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return nil
}

// List returns the committed files whose name starts with prefix; see
// Store.List. Temporary files are not listed.
func (s *DirStore) List(ctx context.Context, prefix string) ([]string, error) {
	// Only the directory holding the prefix's last element needs walking.
	root := "."
	if i := strings.LastIndexByte(prefix, '/'); i >= 0 {
		root = path.Clean(prefix[:i])
	}
	var names []string
	err := s.walk(ctx, root, func(name string, d fs.DirEntry) error {
		if d.Type().IsRegular() && strings.HasPrefix(name, prefix) && !isTemp(d.Name()) {
			names = append(names, name)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("list %q: %w", prefix, err)
	}
	sort.Strings(names)
	return names, nil
}

// CleanTemp removes the temporary files of interrupted writes anywhere in the
// store, except those of files this DirStore is writing now; see
// Store.CleanTemp.
func (s *DirStore) CleanTemp(ctx context.Context) (int, error) {
	removed := 0
	err := s.walk(ctx, ".", func(name string, d fs.DirEntry) error {
		if !d.Type().IsRegular() || !isTemp(d.Name()) {
			return nil
		}
		p := s.Path(name)
		s.mu.Lock()
		live := s.live[p]
		s.mu.Unlock()
		if live {
			return nil
		}
		if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
		removed++
		return nil
	})
	if err != nil {
		return removed, fmt.Errorf("clean temporary files: %w", err)
	}
	return removed, nil
}

// walk calls fn for every entry under root (a slash-separated directory of the
// store), with its slash-separated name in the store. A missing root is empty.
func (s *DirStore) walk(ctx context.Context, root string, fn func(name string, d fs.DirEntry) error) error {
	fsys := os.DirFS(s.dir)
	err := fs.WalkDir(fsys, root, func(name string, d fs.DirEntry, err error) error {
		if err != nil {
			if name == root && errors.Is(err, fs.ErrNotExist) {
				return fs.SkipAll
			}
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if d.IsDir() {
			return nil
		}
		return fn(name, d)
	})
	return err
}

// isTemp reports whether base is the name of a DirStore temporary file.
func isTemp(base string) bool {
	return strings.HasPrefix(base, ".") && strings.Contains(base, tempInfix)
}

// dirFile is a File of a DirStore.
type dirFile struct {
	ctx   context.Context
	store *DirStore
	name  string // in the store
	final string // local path
	f     *os.File
	buf   *bufio.Writer
	hash  hash.Hash
	size  int64
	err   error // sticky write error
	done  bool  // committed or aborted
}

func (f *dirFile) Write(p []byte) (int, error) {
	if f.done {
		return 0, fmt.Errorf("write %s: %w", f.name, os.ErrClosed)
	}
	if f.err != nil {
		return 0, f.err
	}
	if err := f.ctx.Err(); err != nil {
		f.err = fmt.Errorf("write %s: %w", f.name, err)
		return 0, f.err
	}
	n, err := f.buf.Write(p)
	f.hash.Write(p[:n])
	f.size += int64(n)
	if err != nil {
		f.err = fmt.Errorf("write %s: %w", f.name, err)
	}
	return n, f.err
}

func (f *dirFile) Size() int64 { return f.size }

func (f *dirFile) SHA256() string { return hex.EncodeToString(f.hash.Sum(nil)) }

func (f *dirFile) Commit() error {
	if f.done {
		return fmt.Errorf("commit %s: %w", f.name, os.ErrClosed)
	}
	err := f.err
	if err == nil {
		if err = f.ctx.Err(); err != nil {
			err = fmt.Errorf("commit %s: %w", f.name, err)
		}
	}
	if err == nil {
		err = f.publish()
	}
	if err != nil {
		f.Abort()
		return err
	}
	f.done = true
	f.forget()
	return nil
}

// publish makes the temporary file durable and renames it onto its name.
func (f *dirFile) publish() error {
	if err := f.buf.Flush(); err != nil {
		return fmt.Errorf("commit %s: write: %w", f.name, err)
	}
	if err := f.f.Sync(); err != nil {
		return fmt.Errorf("commit %s: fsync: %w", f.name, err)
	}
	if err := f.f.Close(); err != nil {
		return fmt.Errorf("commit %s: close: %w", f.name, err)
	}
	if err := os.Rename(f.f.Name(), f.final); err != nil {
		return fmt.Errorf("commit %s: %w", f.name, err)
	}
	// The rename is durable once the directory is.
	if err := syncDir(filepath.Dir(f.final)); err != nil {
		return fmt.Errorf("commit %s: fsync directory: %w", f.name, err)
	}
	return nil
}

func (f *dirFile) Abort() error {
	if f.done {
		return nil
	}
	f.done = true
	f.f.Close() // may already be closed by a failed Commit
	err := os.Remove(f.f.Name())
	f.forget()
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("abort %s: %w", f.name, err)
	}
	return nil
}

// forget removes the temporary file from the store's live set.
func (f *dirFile) forget() {
	f.store.mu.Lock()
	delete(f.store.live, f.f.Name())
	f.store.mu.Unlock()
}

// syncDir fsyncs a directory. File systems that cannot (EINVAL, unsupported)
// are tolerated: there is nothing more to do on them.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = d.Sync()
	d.Close()
	if errors.Is(err, syscall.EINVAL) || errors.Is(err, errors.ErrUnsupported) {
		return nil
	}
	return err
}
