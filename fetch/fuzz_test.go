package fetch

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/profile-export/profile-export/row"
)

// FuzzURL: for any ID, a net/http server decodes the path segment back to exactly
// the ID (from r.URL.Path, and from EscapedPath + PathUnescape), the ID stays one
// segment, and nothing lands in the query or fragment.
func FuzzURL(f *testing.F) {
	for _, id := range []string{"111492025094307-353046.28_0", "a/b", "a?b#c", "%", "%2F", " ", "+", "@;,=",
		"é", "\xff", "\x00", ".", "..", "...", "../x", "", "a\r\nb", "//", "a%2e%2E"} {
		f.Add(id)
	}
	type echo struct {
		Path, Escaped, Query, Fragment string
	}
	s := newServer(f, func(n int, w http.ResponseWriter, r *http.Request) {
		// Hex keeps arbitrary bytes intact through JSON.
		json.NewEncoder(w).Encode(echo{
			Path:     hex.EncodeToString([]byte(r.URL.Path)),
			Escaped:  r.URL.EscapedPath(),
			Query:    r.URL.RawQuery,
			Fragment: r.URL.Fragment,
		})
	})
	c := mustNew(f, fastConfig(s.URL+"/pre%20fix"))
	f.Fuzz(func(t *testing.T, id string) {
		for _, typ := range []row.Type{row.TntID, row.ThirdPartyID} {
			prefix := "/pre fix" + profilesPath + typeSegment[typ]
			u := c.URL(typ, id)
			parsed, err := url.Parse(u)
			if err != nil {
				t.Fatalf("URL(%q) = %q does not parse: %v", id, u, err)
			}
			if parsed.RawQuery != "client=acme" || parsed.Fragment != "" || strings.Count(u, "?") != 1 || strings.Contains(u, "#") {
				t.Fatalf("URL(%q) = %q: query %q, fragment %q", id, u, parsed.RawQuery, parsed.Fragment)
			}
			if parsed.Path != prefix+id {
				t.Fatalf("URL(%q) = %q: path decodes to %q", id, u, parsed.Path)
			}
			res := c.Fetch(context.Background(), typ, id)
			if err := checkID(typ, id); err != nil {
				if res.Outcome != Failed || res.Attempts != 0 {
					t.Fatalf("refused ID %q fetched: %+v", id, res)
				}
				continue
			}
			if res.Outcome != OK {
				t.Fatalf("Fetch(%q): %v %s", id, res.Outcome, res.Message)
			}
			var e echo
			if err := json.Unmarshal(res.Body, &e); err != nil {
				t.Fatal(err)
			}
			path, _ := hex.DecodeString(e.Path)
			if string(path) != prefix+id {
				t.Fatalf("ID %q: server path %q", id, path)
			}
			seg, ok := strings.CutPrefix(e.Escaped, strings.ReplaceAll(prefix, " ", "%20"))
			if !ok || strings.Contains(seg, "/") {
				t.Fatalf("ID %q: server escaped path %q is not prefix + one segment", id, e.Escaped)
			}
			if un, err := url.PathUnescape(seg); err != nil || un != id {
				t.Fatalf("ID %q: segment %q unescapes to %q (%v)", id, seg, un, err)
			}
			if e.Query != "client=acme" || e.Fragment != "" {
				t.Fatalf("ID %q: server query %q fragment %q", id, e.Query, e.Fragment)
			}
		}
	})
}
