package sandbox

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/profile-export/profile-export/row"
)

func TestRoutesAnswerLikeProfile(t *testing.T) {
	cfg := Config{ClientCode: "acme", NotFoundRate: 0.3, Seed: 42}
	s := StartTest(t, cfg)
	c := newClient(t, 5*time.Second)
	var found, missing int
	for _, typ := range allTypes {
		for _, id := range idsOf(typ, 20) {
			a := get(t, c, profileURL(s.URL, typ, id, "acme"), nil)
			want, ok := cfg.Profile(typ, id)
			wantStatus := http.StatusOK
			if ok {
				found++
			} else {
				missing++
				wantStatus = http.StatusNotFound
			}
			if a.status != wantStatus || !bytes.Equal(a.body, want) {
				t.Fatalf("%s %s: %d %s\nwant %d %s", typ, id, a.status, a.body, wantStatus, want)
			}
			if ct := a.header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
				t.Errorf("Content-Type %q", ct)
			}
		}
	}
	if found == 0 || missing == 0 {
		t.Errorf("%d found, %d missing: want both", found, missing)
	}
}

// Hostile IDs must reach the server as one ID each, through a real client.
func TestHostileIDsRoundTrip(t *testing.T) {
	cfg := Config{NotFoundRate: -1}
	s := StartTest(t, cfg)
	c := newClient(t, 5*time.Second)
	ids := []string{"a/b", "a?b#c", "100%", "sp ace", "a+b@c", "é", "..", ".", "josé@exemple.fr",
		"%2F", "a//b", "tab\there", "x;y=z", "a&client=evil", strings.Repeat("é", MaxIDLength)}
	for _, typ := range allTypes {
		for _, id := range ids {
			a := get(t, c, profileURL(s.URL, typ, id, DefaultClientCode), nil)
			want, _ := cfg.Profile(typ, id)
			if a.status != http.StatusOK || !bytes.Equal(a.body, want) {
				t.Errorf("%s %q: %d %s", typ, id, a.status, a.body)
				continue
			}
			var v struct{ VisitorID, MboxPC string }
			if err := json.Unmarshal(a.body, &v); err != nil {
				t.Fatal(err)
			}
			if v.VisitorID != id && v.MboxPC != id && typ == row.TntID {
				t.Errorf("%s %q: answer names %q / %q", typ, id, v.VisitorID, v.MboxPC)
			}
		}
	}
	// The same ID escaped more than needed is the same ID.
	a := get(t, c, s.URL+"/rest/v1/profiles/thirdPartyId/%2E%2E", nil)
	if want, _ := cfg.Profile(row.ThirdPartyID, ".."); !bytes.Equal(a.body, want) {
		t.Errorf("%%2E%%2E: %s", a.body)
	}
}

func TestRouteErrors(t *testing.T) {
	s := StartTest(t, Config{})
	c := newClient(t, 5*time.Second)
	for _, tc := range []struct {
		path    string
		status  int
		message string
	}{
		{"/rest/v1/profiles/thirdPartyId/a/b", 404, "No route for /rest/v1/profiles/thirdPartyId/a/b"},
		{"/rest/v1/profiles/email/a", 404, "No route for /rest/v1/profiles/email/a"},
		{"/rest/v2/profiles/a", 404, "No route for /rest/v2/profiles/a"},
		{"/", 404, "No route for /"},
		{"/rest/v1/profiles/", 400, "Missing visitor id"},
		{"/rest/v1/profiles/thirdPartyId/", 400, "Missing visitor id"},
		{"/rest/v1/profiles/thirdPartyId/" + strings.Repeat("x", MaxIDLength+1), 400,
			"Invalid visitor id: longer than 128 characters"},
		{"/_sandbox/nope", 404, "No route for /_sandbox/nope"},
	} {
		a := get(t, c, s.URL+tc.path, nil)
		var e struct {
			Status  int
			Message string
		}
		if err := json.Unmarshal(a.body, &e); err != nil {
			t.Fatalf("%s: %v in %s", tc.path, err, a.body)
		}
		if a.status != tc.status || e.Status != tc.status || e.Message != tc.message {
			t.Errorf("%s: %d %s, want %d %q", tc.path, a.status, a.body, tc.status, tc.message)
		}
	}
	// An invalid escape cannot be sent by net/http's client; write it raw.
	res := rawRequest(t, s.Addr, "GET /rest/v1/profiles/thirdPartyId/a%zz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
	if !strings.HasPrefix(res, "HTTP/1.1 400") {
		t.Errorf("bad escape: %q", res)
	}

	for _, m := range []string{http.MethodPost, http.MethodDelete, http.MethodHead} {
		req, _ := http.NewRequest(m, s.URL+"/rest/v1/profiles/abc", nil)
		res, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusMethodNotAllowed || res.Header.Get("Allow") != "GET" {
			t.Errorf("%s: %d Allow=%q", m, res.StatusCode, res.Header.Get("Allow"))
		}
	}
}

func TestClientCode(t *testing.T) {
	cfg := Config{ClientCode: "acme", NotFoundRate: -1}
	s := StartTest(t, cfg)
	c := newClient(t, 5*time.Second)
	base := profileURL(s.URL, row.TntID, "111492025094307-353046", "")
	for _, tc := range []struct {
		query  string
		status int
	}{
		{"", 200},
		{"?client=acme", 200},
		{"?client=", 200},
		{"?other=1&client=acm%65", 200},
		{"?client=globex", 400},
		{"?client=ACME", 400},
	} {
		a := get(t, c, base+tc.query, nil)
		if a.status != tc.status {
			t.Errorf("%q: %d %s", tc.query, a.status, a.body)
		}
		if tc.status == 200 && !bytes.Contains(a.body, []byte(`"client":"acme"`)) {
			t.Errorf("%q: %s", tc.query, a.body)
		}
	}
	if a := get(t, c, base+"?client=globex", nil); !strings.Contains(string(a.body), "Invalid client code globex") {
		t.Errorf("bad client message: %s", a.body)
	}
}

func TestToken(t *testing.T) {
	const token = "s3cr3t-t0ken"
	s := StartTest(t, Config{Token: token, NotFoundRate: -1})
	c := newClient(t, 5*time.Second)
	u := profileURL(s.URL, row.ThirdPartyID, "CRM-0004211", "")
	for _, tc := range []struct {
		header http.Header
		status int
	}{
		{nil, 401},
		{http.Header{"Authorization": {"Bearer wrong-token"}}, 401},
		{http.Header{"Authorization": {"Bearer " + token + "x"}}, 401},
		{http.Header{"Authorization": {token}}, 401},
		{http.Header{"Authorization": {"Basic " + token}}, 401},
		{http.Header{"Authorization": {"Bearer " + token}}, 200},
		{http.Header{"Authorization": {"bearer " + token}}, 200},
		{http.Header{"Access_token": {token}}, 200},
	} {
		a := get(t, c, u, tc.header)
		if a.status != tc.status {
			t.Errorf("%v: %d %s", tc.header, a.status, a.body)
		}
		if a.status == 401 && (bytes.Contains(a.body, []byte("t0ken")) || bytes.Contains(a.body, []byte("wrong"))) {
			t.Errorf("401 body echoes a token: %s", a.body)
		}
	}
	if st := s.Stats(); st.ByStatus[401] != 5 || st.ByStatus[200] != 3 {
		t.Errorf("stats by status: %v", st.ByStatus)
	}
}

func TestHealth(t *testing.T) {
	s := StartTest(t, Config{Token: "t"})
	c := newClient(t, 5*time.Second)
	a := get(t, c, s.URL+"/_sandbox/health", nil)
	if a.status != 200 || string(a.body) != "ok\n" {
		t.Errorf("health: %d %q", a.status, a.body)
	}
	if st := s.Stats(); st.Requests != 0 {
		t.Errorf("health counted as an API request: %+v", st)
	}
}

// Every valid row of the example input can be fetched: 200 or 404, never another
// status, and the answer is the one Profile predicts.
func TestExampleIDs(t *testing.T) {
	f, err := os.Open("../../examples/ids.csv")
	if err != nil {
		t.Skipf("example input: %v", err)
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.FieldsPerRecord = -1
	recs, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	cfg := Config{}
	s := StartTest(t, cfg)
	c := newClient(t, 5*time.Second)
	fetched := 0
	for _, rec := range recs[1:] {
		if len(rec) < 2 {
			continue
		}
		typ, err := row.ParseType(rec[1])
		id := strings.TrimSpace(rec[0])
		if err != nil || id == "" || utf8.RuneCountInString(id) > MaxIDLength {
			continue
		}
		a := get(t, c, profileURL(s.URL, typ, id, DefaultClientCode), nil)
		if want, _ := cfg.Profile(typ, id); (a.status != 200 && a.status != 404) || !bytes.Equal(a.body, want) {
			t.Errorf("%s %q: %d %s", typ, id, a.status, a.body)
		}
		fetched++
	}
	if fetched < 900 {
		t.Errorf("only %d example rows fetched", fetched)
	}
}
