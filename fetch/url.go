package fetch

import (
	"fmt"
	"net/url"
	"strings"

	"github.com/profile-export/profile-export/row"
)

const (
	// hostSuffix completes the default host https://<clientCode>.tt.omtrdc.net.
	hostSuffix = ".tt.omtrdc.net"
	// edgeHostPrefix starts the edge host of a location hint: mboxedge<cluster>.tt.omtrdc.net.
	edgeHostPrefix = "mboxedge"
	// profilesPath is the API path every profile URL starts with.
	profilesPath = "/rest/v1/profiles/"
	// maxClusterDigits bounds the cluster number of a location hint: real clusters
	// have two or three digits; a longer run is no hint and would make a silly host.
	maxClusterDigits = 5
)

// typeSegment is the path part between profilesPath and the ID for each type.
var typeSegment = map[row.Type]string{
	row.TntID:        "",
	row.ECID:         "marketingCloudVisitorId/",
	row.ThirdPartyID: "thirdPartyId/",
}

// prefix is the fixed start of the path for one ID type, decoded and escaped.
type prefix struct {
	path, raw string
}

// endpoints is the precomputed, immutable URL material of a Client.
type endpoints struct {
	scheme  string
	host    string // default host, with port if any
	suffix  string // "?client=<code>" or ""
	query   string // "client=<code>" or ""
	edge    bool   // route tntIds with a location hint to their edge cluster
	tnt     prefix
	ecid    prefix
	third   prefix
	baseRaw string // escaped path prefix of BaseURL, for messages
}

// newEndpoints derives the URL material from the configuration. The client code
// goes into the query whenever it is set, also with BaseURL; with no client code
// (a sandbox), the query is left out entirely.
func newEndpoints(baseURL, clientCode string, disableEdge bool) (endpoints, error) {
	var e endpoints
	if clientCode != "" {
		e.query = "client=" + url.QueryEscape(clientCode)
		e.suffix = "?" + e.query
	}
	var basePath, baseRaw string
	if baseURL == "" {
		if clientCode == "" {
			return e, fmt.Errorf("a client code is required unless a base URL is given")
		}
		if !validHostLabel(clientCode) {
			return e, fmt.Errorf("client code %q cannot form the host name <client>%s; set the base URL instead", clientCode, hostSuffix)
		}
		e.scheme, e.host = "https", strings.ToLower(clientCode)+hostSuffix
		e.edge = !disableEdge
	} else {
		u, err := url.Parse(baseURL)
		if err != nil {
			return e, fmt.Errorf("base URL: %w", err)
		}
		switch {
		case u.Scheme != "http" && u.Scheme != "https":
			return e, fmt.Errorf("base URL %q: scheme must be http or https", baseURL)
		case u.Host == "":
			return e, fmt.Errorf("base URL %q: no host", baseURL)
		case u.User != nil:
			// Credentials in a URL end up in error messages and logs.
			return e, fmt.Errorf("base URL must not hold credentials; use the token instead")
		case u.RawQuery != "" || u.ForceQuery || u.Fragment != "":
			return e, fmt.Errorf("base URL %q: must not hold a query or fragment", u.Redacted())
		}
		e.scheme, e.host = u.Scheme, u.Host
		basePath = strings.TrimRight(u.Path, "/")
		baseRaw = strings.TrimRight(u.EscapedPath(), "/")
	}
	e.baseRaw = baseRaw
	mk := func(t row.Type) prefix {
		seg := profilesPath + typeSegment[t]
		return prefix{path: basePath + seg, raw: baseRaw + seg}
	}
	e.tnt, e.ecid, e.third = mk(row.TntID), mk(row.ECID), mk(row.ThirdPartyID)
	return e, nil
}

// validHostLabel reports whether s can be one host name label (letters, digits,
// '-', and '_' which Go's resolver accepts too).
func validHostLabel(s string) bool {
	if len(s) == 0 || len(s) > 63 || s[0] == '-' || s[len(s)-1] == '-' {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

func (e *endpoints) prefixOf(t row.Type) (prefix, bool) {
	switch t {
	case row.TntID:
		return e.tnt, true
	case row.ECID:
		return e.ecid, true
	case row.ThirdPartyID:
		return e.third, true
	}
	return prefix{}, false
}

// edgeCluster returns the cluster to route an ID to, or "" for the default host.
func (e *endpoints) edgeCluster(t row.Type, id string) string {
	if !e.edge || t != row.TntID {
		return ""
	}
	c, _ := LocationCluster(id)
	return c
}

// writeHost writes the host for a cluster ("" = default host).
func (e *endpoints) writeHost(b *strings.Builder, cluster string) {
	if cluster == "" {
		b.WriteString(e.host)
		return
	}
	b.WriteString(edgeHostPrefix)
	b.WriteString(cluster)
	b.WriteString(hostSuffix)
}

func (e *endpoints) hostLen(cluster string) int {
	if cluster == "" {
		return len(e.host)
	}
	return len(edgeHostPrefix) + len(cluster) + len(hostSuffix)
}

// url returns the full URL string of one ID, or "" for an unknown type.
func (e *endpoints) url(t row.Type, id string) string {
	p, ok := e.prefixOf(t)
	if !ok {
		return ""
	}
	cluster := e.edgeCluster(t, id)
	seg := escapeSegment(id)
	var b strings.Builder
	b.Grow(len(e.scheme) + 3 + e.hostLen(cluster) + len(p.raw) + len(seg) + len(e.suffix))
	b.WriteString(e.scheme)
	b.WriteString("://")
	e.writeHost(&b, cluster)
	b.WriteString(p.raw)
	b.WriteString(seg)
	b.WriteString(e.suffix)
	return b.String()
}

// requestURL builds the *url.URL of one ID directly, without parsing. Path holds
// the decoded form and RawPath the escaped one, so net/http sends exactly our
// escaping (URL.EscapedPath accepts RawPath because it is a valid encoding of Path).
// cluster is "" for the default host.
func (e *endpoints) requestURL(p prefix, id, cluster string) *url.URL {
	u := &url.URL{Scheme: e.scheme, Host: e.host, Path: p.path + id, RawQuery: e.query}
	if cluster != "" {
		u.Host = edgeHostPrefix + cluster + hostSuffix
	}
	if seg := escapeSegment(id); seg != id || p.raw != p.path {
		u.RawPath = p.raw + seg
	}
	return u
}

// LocationCluster returns the edge cluster named by the location hint of a tntId:
// the part after the last dot must be <digits>_<digits>, and the cluster is the
// digits before '_' ("abc.28_0" → "28"). It reports false when there is no such
// hint (no dot, or a malformed hint such as "x_0", "28_", "28" or "_0"), or when the
// cluster has more than 5 digits.
func LocationCluster(tntID string) (string, bool) {
	dot := strings.LastIndexByte(tntID, '.')
	if dot < 0 {
		return "", false
	}
	hint := tntID[dot+1:]
	us := strings.IndexByte(hint, '_')
	if us <= 0 || us > maxClusterDigits || !allDigits(hint[:us]) || !allDigits(hint[us+1:]) {
		return "", false
	}
	return hint[:us], true
}

// allDigits reports whether s is a non-empty run of ASCII digits.
func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// unreserved reports whether c may appear unescaped in our path segment: only
// RFC 3986 unreserved characters. This is stricter than url.PathEscape, which keeps
// sub-delimiters such as '+', '@', ';', '=', '$', '&' and ':' — characters some
// servers and proxies treat specially in paths (e.g. '+' as space, ';' as a
// parameter separator).
func unreserved(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
		c == '-' || c == '.' || c == '_' || c == '~'
}

// escapeSegment escapes id as exactly one path segment: every byte that is not
// unreserved becomes %XX (so '/', '?', '#', '%', space, '+', non-ASCII and invalid
// UTF-8 bytes are all escaped). The segments "." and ".." are escaped as %2E and
// %2E%2E; Fetch refuses those IDs anyway (see ErrInvalidID). An ID that needs no
// escaping is returned as is, without allocating.
func escapeSegment(id string) string {
	if id == "." {
		return "%2E"
	}
	if id == ".." {
		return "%2E%2E"
	}
	n := 0
	for i := 0; i < len(id); i++ {
		if !unreserved(id[i]) {
			n++
		}
	}
	if n == 0 {
		return id
	}
	const hex = "0123456789ABCDEF"
	var b strings.Builder // one allocation: Grow, then String without copying
	b.Grow(len(id) + 2*n)
	for i := 0; i < len(id); i++ {
		c := id[i]
		if unreserved(c) {
			b.WriteByte(c)
		} else {
			b.WriteByte('%')
			b.WriteByte(hex[c>>4])
			b.WriteByte(hex[c&15])
		}
	}
	return b.String()
}

// checkID rejects what cannot be fetched by URL.
func checkID(t row.Type, id string) error {
	switch {
	case !t.Valid():
		return fmt.Errorf("unknown ID type %q: %w", t, ErrInvalidID)
	case id == "":
		return fmt.Errorf("empty %s: %w", t, ErrInvalidID)
	case id == "." || id == "..":
		return fmt.Errorf("%s %q is a relative path segment that servers may normalize away: %w", t, id, ErrInvalidID)
	}
	return nil
}
