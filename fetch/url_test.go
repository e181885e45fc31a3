package fetch

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/profile-export/profile-export/row"
)

func TestURLForms(t *testing.T) {
	def := mustNew(t, Config{ClientCode: "acmecorp"})
	base := mustNew(t, Config{BaseURL: "http://127.0.0.1:8080/gw/target/", ClientCode: "acme corp"})
	sandbox := mustNew(t, Config{BaseURL: "http://127.0.0.1:8080"})
	tests := []struct {
		c    *Client
		t    row.Type
		id   string
		want string
	}{
		{def, row.TntID, "111492025094307-353046", "https://acmecorp.tt.omtrdc.net/rest/v1/profiles/111492025094307-353046?client=acmecorp"},
		{def, row.ECID, "12345678901234567890123456789012345678", "https://acmecorp.tt.omtrdc.net/rest/v1/profiles/marketingCloudVisitorId/12345678901234567890123456789012345678?client=acmecorp"},
		{def, row.ThirdPartyID, "a1-mbox3rdPartyId", "https://acmecorp.tt.omtrdc.net/rest/v1/profiles/thirdPartyId/a1-mbox3rdPartyId?client=acmecorp"},
		{def, row.ThirdPartyID, "jane.doe+x@example.com", "https://acmecorp.tt.omtrdc.net/rest/v1/profiles/thirdPartyId/jane.doe%2Bx%40example.com?client=acmecorp"},
		// With a location hint: the edge cluster's host.
		{def, row.TntID, "111492025094307-353046.28_0", "https://mboxedge28.tt.omtrdc.net/rest/v1/profiles/111492025094307-353046.28_0?client=acmecorp"},
		// A hint only routes tntIds.
		{def, row.ThirdPartyID, "crm.28_0", "https://acmecorp.tt.omtrdc.net/rest/v1/profiles/thirdPartyId/crm.28_0?client=acmecorp"},
		// BaseURL: path prefix kept, trailing slash dropped, client code query-escaped, no edge routing.
		{base, row.TntID, "abc.28_0", "http://127.0.0.1:8080/gw/target/rest/v1/profiles/abc.28_0?client=acme+corp"},
		{base, row.ECID, "1", "http://127.0.0.1:8080/gw/target/rest/v1/profiles/marketingCloudVisitorId/1?client=acme+corp"},
		// No client code: no query at all.
		{sandbox, row.ThirdPartyID, "x", "http://127.0.0.1:8080/rest/v1/profiles/thirdPartyId/x"},
		{sandbox, row.Type("bogus"), "x", ""},
	}
	for _, tt := range tests {
		if got := tt.c.URL(tt.t, tt.id); got != tt.want {
			t.Errorf("URL(%s, %q)\n got %s\nwant %s", tt.t, tt.id, got, tt.want)
		}
	}
	noEdge := mustNew(t, Config{ClientCode: "acme", DisableEdgeRouting: true})
	if got, want := noEdge.URL(row.TntID, "a.28_0"), "https://acme.tt.omtrdc.net/rest/v1/profiles/a.28_0?client=acme"; got != want {
		t.Errorf("edge routing disabled: got %s, want %s", got, want)
	}
}

func TestEscapeSegment(t *testing.T) {
	tests := map[string]string{
		"abc-DEF_123.~":  "abc-DEF_123.~",
		"a/b":            "a%2Fb",
		"a?b=c#d":        "a%3Fb%3Dc%23d",
		"100%":           "100%25",
		"%2F":            "%252F",
		"a b+c":          "a%20b%2Bc",
		"x@y;z,w":        "x%40y%3Bz%2Cw",
		"é":              "%C3%A9",
		"\xff\x00":       "%FF%00",
		".":              "%2E",
		"..":             "%2E%2E",
		"...":            "...",
		"./a":            ".%2Fa",
		"$&'()*:=[]!\\|": "%24%26%27%28%29%2A%3A%3D%5B%5D%21%5C%7C",
	}
	for in, want := range tests {
		if got := escapeSegment(in); got != want {
			t.Errorf("escapeSegment(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestLocationCluster(t *testing.T) {
	tests := []struct {
		id      string
		cluster string
	}{
		{"111492025094307-353046.28_0", "28"},
		{"abc.7_12", "7"},
		{"a.b.c.35_1", "35"},           // several dots: the last one counts
		{"a.35_1.x", ""},               // last part is no hint
		{"111492025094307-353046", ""}, // no hint
		{"abc.", ""},
		{".", ""},
		{"abc.x_0", ""},
		{"abc.28_", ""},
		{"abc.28", ""},
		{"abc._0", ""},
		{"abc.28_0_1", ""},
		{"abc.2a_0", ""},
		{"abc.28_0 ", ""},
		{"abc.+28_0", ""},
		{"abc.١٢_0", ""}, // non-ASCII digits
		{"abc.12345_0", "12345"},
		{"abc.123456_0", ""}, // too long to be a cluster
	}
	for _, tt := range tests {
		got, ok := LocationCluster(tt.id)
		if got != tt.cluster || ok != (tt.cluster != "") {
			t.Errorf("LocationCluster(%q) = %q, %v; want %q", tt.id, got, ok, tt.cluster)
		}
	}
}

func TestNewConfigErrors(t *testing.T) {
	bad := map[string]Config{
		"no client code, no base": {},
		"client code not a host":  {ClientCode: "acme.evil.com/x"},
		"base scheme":             {BaseURL: "ftp://h"},
		"base without host":       {BaseURL: "http:///x"},
		"base with credentials":   {BaseURL: "https://u:p@h"},
		"base with query":         {BaseURL: "https://h/?a=b"},
		"base with fragment":      {BaseURL: "https://h/#f"},
		"unparsable base":         {BaseURL: "http://[::1"},
		"token with newline":      {ClientCode: "a", Token: "abc\ndef"},
		"token with space":        {ClientCode: "a", Token: "abc def"},
		"negative timeout":        {ClientCode: "a", Timeout: -1},
	}
	for name, cfg := range bad {
		if _, err := New(cfg); err == nil {
			t.Errorf("%s: New succeeded", name)
		}
	}
	if _, err := New(Config{BaseURL: "http://h", Token: " tok \n"}); err != nil {
		t.Errorf("token with surrounding spaces: %v", err)
	}
}

// The request line the server receives carries exactly our escaping, and a net/http
// server decodes the path back to the ID.
func TestRequestLineEscaping(t *testing.T) {
	s := newServer(t, func(n int, w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `{}`)
	})
	c := mustNew(t, fastConfig(s.URL))
	ids := []string{"plain", "a/b", "a?b#c", "100%", "sp ace+plus", "x@y;z", "é\x00\xff", "...", "%2E%2E"}
	for i, id := range ids {
		if res := fetchOne(t, c, id); res.Outcome != OK {
			t.Fatalf("%q: %v %s", id, res.Outcome, res.Message)
		}
		r := s.requests()[i]
		wantURI := strings.TrimPrefix(c.URL(row.ThirdPartyID, id), s.URL)
		if r.RequestURI != wantURI {
			t.Errorf("%q: request URI %q, want %q", id, r.RequestURI, wantURI)
		}
		if got := strings.TrimPrefix(r.URL.Path, "/rest/v1/profiles/thirdPartyId/"); got != id {
			t.Errorf("%q: server decoded %q", id, got)
		}
		if r.URL.RawQuery != "client=acme" {
			t.Errorf("%q: query %q", id, r.URL.RawQuery)
		}
	}
}

// "", "." and ".." are refused without any request: a server or proxy may
// normalize /thirdPartyId/. into /thirdPartyId, i.e. the tntId "thirdPartyId".
func TestInvalidIDNotSent(t *testing.T) {
	s := newServer(t, func(n int, w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, `{}`) })
	c := mustNew(t, fastConfig(s.URL))
	for _, tc := range []struct {
		t  row.Type
		id string
	}{{row.ThirdPartyID, ""}, {row.ThirdPartyID, "."}, {row.TntID, ".."}, {row.Type("mboxPC"), "abc"}} {
		res := c.Fetch(context.Background(), tc.t, tc.id)
		if res.Outcome != Failed || res.Attempts != 0 || !errors.Is(res.Err, ErrInvalidID) || res.Message == "" {
			t.Errorf("%s %q: got %+v", tc.t, tc.id, res)
		}
	}
	if n := s.hits.Load(); n != 0 {
		t.Errorf("%d requests sent", n)
	}
}

// roundTripFunc adapts a function to http.RoundTripper.
type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// redirectTo is a transport that records the host asked and sends the request to
// the loopback server instead; hosts in noHost fail as unknown names.
func redirectTo(s *server, asked *[]string, noHost map[string]bool) http.RoundTripper {
	target, _ := url.Parse(s.URL)
	return roundTripFunc(func(r *http.Request) (*http.Response, error) {
		*asked = append(*asked, r.URL.Scheme+"://"+r.URL.Host)
		if noHost[r.URL.Host] {
			return nil, &net.DNSError{Err: "no such host", Name: r.URL.Host, IsNotFound: true}
		}
		r2 := r.Clone(r.Context())
		r2.URL.Scheme, r2.URL.Host, r2.Host = "http", target.Host, target.Host
		return http.DefaultTransport.RoundTrip(r2)
	})
}

func TestEdgeRoutingFetch(t *testing.T) {
	s := newServer(t, func(n int, w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, `{}`) })
	var asked []string
	cfg := Config{ClientCode: "acme", Retries: -1,
		Transport: redirectTo(s, &asked, map[string]bool{"mboxedge99.tt.omtrdc.net": true})}
	c := mustNew(t, cfg)
	ctx := context.Background()
	for _, tc := range []struct {
		t     row.Type
		id    string
		hosts string
		tries int
	}{
		{row.TntID, "abc.28_0", "https://mboxedge28.tt.omtrdc.net", 1},
		{row.TntID, "abc", "https://acme.tt.omtrdc.net", 1},
		{row.ECID, "abc.28_0", "https://acme.tt.omtrdc.net", 1},
		// An edge host that does not resolve: fall back to the default host, even
		// with no retries allowed.
		{row.TntID, "abc.99_0", "https://mboxedge99.tt.omtrdc.net https://acme.tt.omtrdc.net", 2},
	} {
		asked = nil
		res := c.Fetch(ctx, tc.t, tc.id)
		if res.Outcome != OK || res.Attempts != tc.tries {
			t.Errorf("%s %q: %v after %d attempts: %s", tc.t, tc.id, res.Outcome, res.Attempts, res.Message)
		}
		if got := strings.Join(asked, " "); got != tc.hosts {
			t.Errorf("%s %q: asked %s, want %s", tc.t, tc.id, got, tc.hosts)
		}
	}
	// The default host not resolving is fatal: every row would fail.
	asked = nil
	c2 := mustNew(t, Config{ClientCode: "nosuch", Transport: redirectTo(s, &asked, map[string]bool{"nosuch.tt.omtrdc.net": true})})
	res := c2.Fetch(ctx, row.TntID, "abc")
	var dnsErr *net.DNSError
	if res.Outcome != Fatal || !errors.As(res.Err, &dnsErr) || !strings.Contains(res.Message, "client code") {
		t.Errorf("unknown host: %+v", res)
	}
}

// URL building stays cheap on the hot path: one allocation for the string, one
// more when the ID needs escaping.
func TestURLAllocs(t *testing.T) {
	c := mustNew(t, Config{ClientCode: "acmecorp"})
	for id, want := range map[string]float64{"111492025094307-353046.28_0": 1, "jane.doe+tag@example.com": 2} {
		if got := testing.AllocsPerRun(100, func() { _ = c.URL(row.TntID, id) }); got > want {
			t.Errorf("URL(%q): %v allocations, want %v", id, got, want)
		}
	}
}
