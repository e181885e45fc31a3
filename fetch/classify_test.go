package fetch

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/profile-export/profile-export/row"
)

// answerWith returns a handler that answers every request with status and body.
func answerWith(status int, body string) func(int, http.ResponseWriter, *http.Request) {
	return func(_ int, w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(status)
		io.WriteString(w, body) // no copy, so alloc measurements see the client only
	}
}

// hangUp closes the connection without an answer.
func hangUp(w http.ResponseWriter) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err == nil {
		conn.Close()
	}
}

func TestClassification(t *testing.T) {
	const retries = 2 // fastConfig
	tests := []struct {
		name     string
		handle   func(n int, w http.ResponseWriter, r *http.Request)
		outcome  Outcome
		status   int
		attempts int
		body     string // for OK
		message  string // substring of Message
	}{
		{name: "200 profile", handle: answerWith(200, profileJSON), outcome: OK, status: 200, attempts: 1, body: profileJSON},
		{name: "200 leading space", handle: answerWith(200, "\n {}"), outcome: OK, status: 200, attempts: 1, body: "\n {}"},
		{name: "200 HTML from a proxy", handle: answerWith(200, "<html><body>Gateway login</body></html>"),
			outcome: Failed, status: 200, attempts: retries + 1, message: "HTTP 200 answer is not a JSON object: <html><body>Gateway login"},
		{name: "200 truncated JSON", handle: answerWith(200, `{"client":"acme","profileAttributes":{`),
			outcome: Failed, status: 200, attempts: retries + 1, message: "not a JSON object"},
		{name: "200 JSON array", handle: answerWith(200, `[{}]`), outcome: Failed, status: 200, attempts: retries + 1, message: "not a JSON object"},
		{name: "200 empty", handle: answerWith(200, ``), outcome: Failed, status: 200, attempts: retries + 1, message: "answer is empty"},
		{name: "204", handle: answerWith(204, ``), outcome: Failed, status: 204, attempts: retries + 1, message: "HTTP 204 answer is empty"},
		{name: "200 glitch then profile", handle: func(n int, w http.ResponseWriter, r *http.Request) {
			if n == 1 {
				fmt.Fprint(w, "<html>")
				return
			}
			fmt.Fprint(w, profileJSON)
		}, outcome: OK, status: 200, attempts: 2, body: profileJSON},
		{name: "404 documented body", handle: answerWith(404, `{"status" : 404, "message" : "No profile found for client acme with third party id=x"}`),
			outcome: NotFound, status: 404, attempts: 1, message: "No profile found for client acme with third party id=x"},
		{name: "404 HTML", handle: answerWith(404, "<h1>Not\n\tFound</h1>"), outcome: NotFound, status: 404, attempts: 1, message: "<h1>Not Found</h1>"},
		{name: "404 empty", handle: answerWith(404, ""), outcome: NotFound, status: 404, attempts: 1, message: "HTTP 404 Not Found"},
		{name: "400", handle: answerWith(400, `{"status":400,"message":"Invalid client code"}`),
			outcome: Failed, status: 400, attempts: 1, message: "HTTP 400 Bad Request: Invalid client code"},
		{name: "410", handle: answerWith(410, "gone"), outcome: Failed, status: 410, attempts: 1, message: "HTTP 410 Gone: gone"},
		{name: "401", handle: answerWith(401, `{"message":"unauthorized"}`), outcome: Fatal, status: 401, attempts: 1, message: "TARGET_PROFILE_TOKEN"},
		{name: "403", handle: answerWith(403, ""), outcome: Fatal, status: 403, attempts: 1, message: "--token-file"},
		{name: "408", handle: answerWith(408, ""), outcome: Failed, status: 408, attempts: retries + 1, message: "HTTP 408 Request Timeout"},
		{name: "429", handle: answerWith(429, "slow down"), outcome: Failed, status: 429, attempts: retries + 1, message: "HTTP 429 Too Many Requests: slow down"},
		{name: "500", handle: answerWith(500, `{"message":"boom"}`), outcome: Failed, status: 500, attempts: retries + 1, message: "HTTP 500 Internal Server Error: boom"},
		{name: "502", handle: answerWith(502, ""), outcome: Failed, status: 502, attempts: retries + 1, message: "HTTP 502 Bad Gateway"},
		{name: "503", handle: answerWith(503, ""), outcome: Failed, status: 503, attempts: retries + 1, message: "HTTP 503"},
		{name: "504", handle: answerWith(504, ""), outcome: Failed, status: 504, attempts: retries + 1, message: "HTTP 504"},
		{name: "599", handle: answerWith(599, ""), outcome: Failed, status: 599, attempts: retries + 1, message: "HTTP 599"},
		{name: "503 then profile", handle: func(n int, w http.ResponseWriter, r *http.Request) {
			if n < 3 {
				w.WriteHeader(503)
				return
			}
			fmt.Fprint(w, profileJSON)
		}, outcome: OK, status: 200, attempts: 3, body: profileJSON},
		{name: "hang up before answering", handle: func(n int, w http.ResponseWriter, r *http.Request) { hangUp(w) },
			outcome: Failed, status: 0, attempts: retries + 1, message: "EOF"},
		{name: "truncated body", handle: func(n int, w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Length", "1000")
			w.WriteHeader(200)
			fmt.Fprint(w, `{"client":`)
			w.(http.Flusher).Flush()
			hangUp(w)
		}, outcome: Failed, status: 0, attempts: retries + 1, message: "cut off mid-body: the connection ended after 10 of 1000 bytes: unexpected EOF"},
		{name: "truncated body then profile", handle: func(n int, w http.ResponseWriter, r *http.Request) {
			if n == 1 {
				w.Header().Set("Content-Length", "1000")
				fmt.Fprint(w, `{"client":`)
				w.(http.Flusher).Flush()
				hangUp(w)
				return
			}
			fmt.Fprint(w, profileJSON)
		}, outcome: OK, status: 200, attempts: 2, body: profileJSON},
		{name: "redirect loop on the same host", handle: func(n int, w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, r.URL.Path+"x", http.StatusFound)
		}, outcome: Failed, status: 302, attempts: 1, message: "redirect not followed"},
		{name: "MaxRedirects redirects followed", handle: func(n int, w http.ResponseWriter, r *http.Request) {
			if n <= MaxRedirects {
				http.Redirect(w, r, fmt.Sprintf("/rest/v1/profiles/thirdPartyId/hop%d?client=acme", n), http.StatusTemporaryRedirect)
				return
			}
			fmt.Fprint(w, profileJSON)
		}, outcome: OK, status: 200, attempts: 1, body: profileJSON},
		{name: "one redirect more than MaxRedirects", handle: func(n int, w http.ResponseWriter, r *http.Request) {
			if n <= MaxRedirects+1 {
				http.Redirect(w, r, fmt.Sprintf("/rest/v1/profiles/thirdPartyId/hop%d?client=acme", n), http.StatusFound)
				return
			}
			fmt.Fprint(w, profileJSON)
		}, outcome: Failed, status: 302, attempts: 1, message: "redirect not followed"},
		{name: "same-host redirect followed", handle: func(n int, w http.ResponseWriter, r *http.Request) {
			if n == 1 {
				http.Redirect(w, r, "/rest/v1/profiles/thirdPartyId/moved?client=acme", http.StatusMovedPermanently)
				return
			}
			if r.URL.Path != "/rest/v1/profiles/thirdPartyId/moved" {
				w.WriteHeader(500)
			}
			fmt.Fprint(w, profileJSON)
		}, outcome: OK, status: 200, attempts: 1, body: profileJSON},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newServer(t, tt.handle)
			c := mustNew(t, fastConfig(s.URL))
			res := fetchOne(t, c, "x")
			if res.Outcome != tt.outcome || res.Status != tt.status || res.Attempts != tt.attempts {
				t.Fatalf("got %v status %d after %d attempts (%s); want %v status %d after %d",
					res.Outcome, res.Status, res.Attempts, res.Message, tt.outcome, tt.status, tt.attempts)
			}
			if int(s.hits.Load()) < tt.attempts {
				t.Errorf("server saw %d requests for %d attempts", s.hits.Load(), tt.attempts)
			}
			if string(res.Body) != tt.body {
				t.Errorf("body %q, want %q", res.Body, tt.body)
			}
			if !strings.Contains(res.Message, tt.message) {
				t.Errorf("message %q does not contain %q", res.Message, tt.message)
			}
			if (res.Err == nil) != (tt.outcome == OK || tt.outcome == NotFound) {
				t.Errorf("Err = %v for %v", res.Err, tt.outcome)
			}
			if tt.outcome == Fatal {
				var ae *AuthError
				if !errors.As(res.Err, &ae) || ae.Status != tt.status || ae.TokenSet {
					t.Errorf("Err %v is not the AuthError of an unset token", res.Err)
				}
				if tt.status == 401 && ae.Server != "unauthorized" {
					t.Errorf("AuthError.Server %q, want the server's message", ae.Server)
				}
				if !strings.Contains(res.Message, "no token was given") {
					t.Errorf("message %q does not say that no token was given", res.Message)
				}
			}
		})
	}
}

func TestConnectionRefused(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close() // nothing listens there any more
	var seen []Attempt
	cfg := fastConfig("http://" + addr)
	cfg.OnAttempt = func(a Attempt) { seen = append(seen, a) }
	res := fetchOne(t, mustNew(t, cfg), "x")
	if res.Outcome != Failed || res.Status != 0 || res.Attempts != 3 || !strings.Contains(res.Message, "refused") {
		t.Fatalf("got %+v", res)
	}
	if len(seen) != 3 || !seen[0].Retry || !seen[1].Retry || seen[2].Retry || seen[2].Number != 3 || seen[2].Err == nil {
		t.Errorf("observed attempts %+v", seen)
	}
}

// A redirect to another host is not followed, so the token never reaches it.
func TestRedirectToOtherHost(t *testing.T) {
	other := newServer(t, answerWith(200, profileJSON))
	s := newServer(t, func(n int, w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, other.URL+r.URL.RequestURI(), http.StatusTemporaryRedirect)
	})
	cfg := fastConfig(s.URL)
	cfg.Token = "tok-123"
	res := fetchOne(t, mustNew(t, cfg), "x")
	if res.Outcome != Failed || res.Status != 307 || res.Attempts != 1 {
		t.Fatalf("got %+v", res)
	}
	if !strings.Contains(res.Message, "redirect not followed") || !strings.Contains(res.Message, other.Listener.Addr().String()) {
		t.Errorf("message %q", res.Message)
	}
	if n := other.hits.Load(); n != 0 {
		t.Errorf("the other host got %d requests", n)
	}
	if got := s.requests()[0].Header.Get("Authorization"); got != "Bearer tok-123" {
		t.Errorf("the API host got Authorization %q", got)
	}
}

// A same-host redirect keeps the token; Go's rules alone would also keep it for a
// subdomain, which we do not follow.
func TestSameHostRedirects(t *testing.T) {
	first, _ := url.Parse("https://acme.tt.omtrdc.net/a")
	for _, tc := range []struct {
		to       string
		followed int
		follow   bool
	}{
		{"https://acme.tt.omtrdc.net/b", 0, true},
		{"https://ACME.tt.omtrdc.net/b", 0, true},
		{"http://acme.tt.omtrdc.net/b", 0, false}, // downgrade
		{"https://x.acme.tt.omtrdc.net/b", 0, false},
		{"https://mboxedge28.tt.omtrdc.net/b", 0, false},
		{"https://acme.tt.omtrdc.net:8443/b", 0, false},
		{"https://acme.tt.omtrdc.net/b", MaxRedirects - 1, true},
		{"https://acme.tt.omtrdc.net/b", MaxRedirects, false},
	} {
		to, _ := url.Parse(tc.to)
		if got := followRedirect(first, to, tc.followed); got != tc.follow {
			t.Errorf("redirect to %s after %d: follow = %v", tc.to, tc.followed, got)
		}
	}
}

func TestAuthorizationHeader(t *testing.T) {
	s := newServer(t, answerWith(200, `{}`))
	cfg := fastConfig(s.URL)
	fetchOne(t, mustNew(t, cfg), "x")
	cfg.Token = "  abc.DEF-123\n"
	fetchOne(t, mustNew(t, cfg), "x")
	reqs := s.requests()
	if _, ok := reqs[0].Header["Authorization"]; ok {
		t.Errorf("Authorization sent without a token: %q", reqs[0].Header.Get("Authorization"))
	}
	if got := reqs[1].Header.Get("Authorization"); got != "Bearer abc.DEF-123" {
		t.Errorf("Authorization %q", got)
	}
	if got := reqs[1].Header.Get("Accept"); got != "application/json" {
		t.Errorf("Accept %q", got)
	}
	if got := reqs[1].Header.Get("User-Agent"); got != DefaultUserAgent {
		t.Errorf("User-Agent %q", got)
	}
}

func TestAuthErrorWithToken(t *testing.T) {
	s := newServer(t, answerWith(401, ""))
	cfg := fastConfig(s.URL)
	cfg.Token = "expired-token"
	res := fetchOne(t, mustNew(t, cfg), "x")
	var ae *AuthError
	if res.Outcome != Fatal || !errors.As(res.Err, &ae) || !ae.TokenSet || !strings.Contains(res.Message, "rejected the token") {
		t.Fatalf("got %+v", res)
	}
}

func TestOutcomeString(t *testing.T) {
	for o, want := range map[Outcome]string{OK: "ok", NotFound: "not_found", Failed: "failed", Fatal: "fatal", Canceled: "canceled", 0: "unknown"} {
		if o.String() != want {
			t.Errorf("%d: %q", o, o.String())
		}
	}
	// Outcome names match the reject reasons where they overlap.
	if NotFound.String() != string(row.NotFound) || Failed.String() != string(row.Failed) {
		t.Error("outcome names differ from row reasons")
	}
}

func TestCanceled(t *testing.T) {
	t.Run("before", func(t *testing.T) {
		s := newServer(t, answerWith(200, `{}`))
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		res := mustNew(t, fastConfig(s.URL)).Fetch(ctx, row.TntID, "x")
		if res.Outcome != Canceled || res.Attempts != 0 || !errors.Is(res.Err, context.Canceled) || s.hits.Load() != 0 {
			t.Fatalf("got %+v", res)
		}
	})
	t.Run("during the request", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		s := newServer(t, func(n int, w http.ResponseWriter, r *http.Request) {
			cancel()
			<-r.Context().Done()
		})
		res := mustNew(t, fastConfig(s.URL)).Fetch(ctx, row.TntID, "x")
		if res.Outcome != Canceled || res.Attempts != 1 || !errors.Is(res.Err, context.Canceled) {
			t.Fatalf("got %+v", res)
		}
	})
	t.Run("during the backoff", func(t *testing.T) {
		s := newServer(t, func(n int, w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Retry-After", "60")
			w.WriteHeader(503)
		})
		ctx, cancel := context.WithCancel(context.Background())
		cfg := fastConfig(s.URL)
		cfg.OnAttempt = func(a Attempt) {
			if a.Retry {
				cancel() // while the client waits 60 s
			}
		}
		res := mustNew(t, cfg).Fetch(ctx, row.TntID, "x")
		if res.Outcome != Canceled || res.Attempts != 1 || res.Status != 503 || !errors.Is(res.Err, context.Canceled) {
			t.Fatalf("got %+v", res)
		}
	})
}
