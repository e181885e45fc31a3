// Package outpath reads the --output and --rejects values of an export: a
// local path, or the URL of an object storage location (s3://, gs://,
// azblob://, file://), possibly written as a path template such as
// "s3://lake/target_profiles/dt={{.Date}}/run={{.RunID}}/" that is expanded
// once per run (see Expand).
package outpath

import (
	"fmt"
	"net/url"
	"os"
	"regexp"
	"strings"
)

// Schemes are the URL schemes an output may use, each opened by
// gocloud.dev/blob (see writer.NewBlobStore).
var Schemes = []string{"s3", "gs", "azblob", "file"}

// Location is a parsed --output or --rejects value.
//
// A value ending in "/" is a directory (directory mode: the parts are the
// outputs); any other value names a file (single-file mode). For a URL the
// rule is only the slash: object storage has no directories to look at.
type Location struct {
	// Raw is the value as parsed.
	Raw string
	// Scheme is "s3", "gs", "azblob" or "file" for a URL, "" for a local path.
	Scheme string
	// Path is the local path as given; empty for a URL.
	Path string
	// Bucket is the URL to open the bucket with (writer.NewBlobStore), the
	// value's query parameters included: "s3://lake?region=eu-west-1". For a
	// file URL it is the directory: "file:///data/exports". Empty for a local
	// path.
	Bucket string
	// Prefix is the key prefix of the directory in the bucket, "" or ending
	// in "/": "target_profiles/dt=2024-05-01/". Always "" for file URLs,
	// whose directory is the bucket.
	Prefix string
	// Name is the file name in single-file mode ("profiles.parquet"), empty
	// in directory mode.
	Name string
	// Dir reports directory mode: the value ends in "/" (for a local path,
	// the caller may also treat an existing directory as one).
	Dir bool
}

// IsURL reports whether the location is in object storage (or a file URL).
func (l Location) IsURL() bool { return l.Scheme != "" }

// String returns the location without query parameters, for messages.
func (l Location) String() string {
	if !l.IsURL() {
		return l.Path
	}
	b := l.Bucket
	if i := strings.IndexByte(b, '?'); i >= 0 {
		b = b[:i]
	}
	if l.Scheme == "file" {
		return strings.TrimSuffix(b, "/") + "/" + l.Name
	}
	return b + "/" + l.Prefix + l.Name
}

// urlLike matches values that are URLs: a scheme, then "://". A Windows path
// such as C:\out is not one.
var urlLike = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9+.-]*://`)

// IsURL reports whether s is written as a URL (scheme://...) rather than a
// local path; it does not check the scheme.
func IsURL(s string) bool { return urlLike.MatchString(s) }

// Parse reads an --output or --rejects value that has no template left in it
// (expand templates first). Local paths are returned as they are; URLs are
// checked and split into the bucket to open and the key prefix and name in it.
func Parse(s string) (Location, error) {
	if strings.Contains(s, "{{") {
		return Location{}, fmt.Errorf("output %q: path template not expanded", s)
	}
	if !IsURL(s) {
		if s == "" {
			return Location{}, fmt.Errorf("empty output path")
		}
		return Location{Raw: s, Path: s, Dir: strings.HasSuffix(s, "/") || strings.HasSuffix(s, string(os.PathSeparator))}, nil
	}
	u, err := url.Parse(s)
	if err != nil {
		return Location{}, fmt.Errorf("output URL %q: %w", redact(s), err)
	}
	scheme := strings.ToLower(u.Scheme)
	if !known(scheme) {
		return Location{}, fmt.Errorf("output URL %s: unsupported scheme %q (want %s)", redact(s), u.Scheme, strings.Join(Schemes, "://, ")+"://")
	}
	if u.User != nil {
		return Location{}, fmt.Errorf("output URL %s: credentials do not go in the URL; they come from the cloud's usual sources (environment, configuration files, workload identity)", redact(s))
	}
	if u.Fragment != "" {
		return Location{}, fmt.Errorf("output URL %s: unexpected fragment #%s", redact(s), u.Fragment)
	}
	l := Location{Raw: s, Scheme: scheme, Dir: strings.HasSuffix(u.Path, "/") || u.Path == ""}
	elems, err := pathElems(u.Path)
	if err != nil {
		return Location{}, fmt.Errorf("output URL %s: %w", redact(s), err)
	}
	if !l.Dir {
		l.Name, elems = elems[len(elems)-1], elems[:len(elems)-1]
	}
	if scheme == "file" {
		return parseFile(l, u, elems)
	}
	if u.Host == "" {
		return Location{}, fmt.Errorf("output URL %s: no bucket: want %s://bucket/prefix/", redact(s), scheme)
	}
	if u.Port() != "" {
		return Location{}, fmt.Errorf("output URL %s: a bucket name has no port (an S3-compatible endpoint goes in ?endpoint=)", redact(s))
	}
	bucket := url.URL{Scheme: scheme, Host: u.Host, RawQuery: u.RawQuery}
	l.Bucket = bucket.String()
	if len(elems) > 0 {
		l.Prefix = strings.Join(elems, "/") + "/"
	}
	return l, nil
}

// parseFile completes a file:// location: the directory is the bucket.
func parseFile(l Location, u *url.URL, elems []string) (Location, error) {
	if u.Host != "" && u.Host != "localhost" {
		return Location{}, fmt.Errorf("output URL %s: want file:///absolute/path (host %q is not supported)", redact(l.Raw), u.Host)
	}
	if len(elems) == 0 && !l.Dir {
		return Location{}, fmt.Errorf("output URL %s: a file needs a directory", redact(l.Raw))
	}
	bucket := url.URL{Scheme: "file", Path: "/" + strings.Join(elems, "/"), RawQuery: u.RawQuery}
	l.Bucket = bucket.String()
	return l, nil
}

// pathElems splits a URL path into its elements, refusing empty, . and ..
// elements, which object keys would keep literally while readers and
// loaders would not.
func pathElems(p string) ([]string, error) {
	p = strings.TrimPrefix(p, "/")
	p = strings.TrimSuffix(p, "/")
	if p == "" {
		return nil, nil
	}
	elems := strings.Split(p, "/")
	for _, e := range elems {
		switch e {
		case "":
			return nil, fmt.Errorf("empty path element in %q (an empty template field, such as {{.Shard}} without sharding, between two slashes?)", p)
		case ".", "..":
			return nil, fmt.Errorf("path element %q in %q", e, p)
		}
	}
	return elems, nil
}

func known(scheme string) bool {
	for _, s := range Schemes {
		if s == scheme {
			return true
		}
	}
	return false
}

// redact drops a URL's query and any user information for messages.
func redact(s string) string {
	if i := strings.IndexByte(s, '?'); i >= 0 {
		s = s[:i]
	}
	if i := strings.Index(s, "://"); i >= 0 {
		auth := s[i+3:]
		if j := strings.IndexByte(auth, '/'); j >= 0 {
			auth = auth[:j]
		}
		if j := strings.LastIndexByte(auth, '@'); j >= 0 {
			s = s[:i+3] + "…@" + s[i+3+j+1:]
		}
	}
	return s
}
