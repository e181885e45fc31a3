package fetch

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/profile-export/profile-export/row"
)

const secretToken = "TOKEN-s3cr3t-0123456789abcdef"

// echoAuth answers with status and a body that echoes the Authorization header, as
// a debugging proxy or a careless server might.
func echoAuth(status int, jsonBody bool) func(int, http.ResponseWriter, *http.Request) {
	return func(_ int, w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(status)
		if jsonBody {
			fmt.Fprintf(w, `{"status":%d,"message":"bad request with header %s"}`, status, r.Header.Get("Authorization"))
			return
		}
		fmt.Fprintf(w, "<html>headers: Authorization: %s</html>", r.Header.Get("Authorization"))
	}
}

// No result, error or formatted value ever contains the token.
func TestTokenNeverLeaks(t *testing.T) {
	refused := func() string {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer l.Close()
		return "http://" + l.Addr().String()
	}()
	cases := []struct {
		name    string
		handle  func(int, http.ResponseWriter, *http.Request)
		base    string // instead of the server
		outcome Outcome
		timeout time.Duration
		cancel  bool
	}{
		{name: "ok", handle: answerWith(200, profileJSON), outcome: OK},
		{name: "401", handle: echoAuth(401, false), outcome: Fatal},
		{name: "403", handle: echoAuth(403, true), outcome: Fatal},
		{name: "404 echo", handle: echoAuth(404, true), outcome: NotFound},
		{name: "400 echo", handle: echoAuth(400, true), outcome: Failed},
		{name: "5xx exhausted with echo", handle: echoAuth(503, false), outcome: Failed},
		{name: "200 HTML echo", handle: echoAuth(200, false), outcome: Failed},
		{name: "redirect elsewhere", handle: func(_ int, w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, "http://other.example/?t="+strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer "), http.StatusFound)
		}, outcome: Failed},
		{name: "connection refused", base: refused, outcome: Failed},
		{name: "timeout", handle: func(_ int, w http.ResponseWriter, r *http.Request) { <-r.Context().Done() },
			timeout: 30 * time.Millisecond, outcome: Failed},
		{name: "canceled", handle: func(_ int, w http.ResponseWriter, r *http.Request) { <-r.Context().Done() },
			cancel: true, outcome: Canceled},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			base := tc.base
			var s *server
			if base == "" {
				s = newServer(t, tc.handle)
				base = s.URL
			}
			cfg := fastConfig(base)
			cfg.Token = secretToken
			if tc.timeout > 0 {
				cfg.Timeout = tc.timeout
			}
			var attempts []Attempt
			cfg.OnAttempt = func(a Attempt) { attempts = append(attempts, a) }
			c := mustNew(t, cfg)
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			if tc.cancel {
				time.AfterFunc(20*time.Millisecond, cancel)
			}
			res := c.Fetch(ctx, row.ThirdPartyID, "x")
			if res.Outcome != tc.outcome {
				t.Fatalf("got %v (%s), want %v", res.Outcome, res.Message, tc.outcome)
			}
			if s != nil && s.requests()[0].Header.Get("Authorization") != "Bearer "+secretToken {
				t.Fatal("the token was not sent, the test proves nothing")
			}
			texts := []string{res.Message, fmt.Sprintf("%v|%+v|%#v", res, res, res), fmt.Sprintf("%+v|%#v", attempts, attempts),
				fmt.Sprintf("%v|%+v|%#v|%s", cfg, cfg, cfg, cfg.Token), fmt.Sprintf("%v|%+v|%#v", c, c, c)}
			if res.Err != nil {
				texts = append(texts, res.Err.Error(), fmt.Sprintf("%+v|%#v", res.Err, res.Err))
			}
			for _, a := range attempts {
				if a.Err != nil {
					texts = append(texts, a.Err.Error())
				}
			}
			for _, text := range texts {
				if strings.Contains(text, secretToken) || strings.Contains(text, "s3cr3t") {
					t.Errorf("token leaked: %s", text)
				}
			}
		})
	}
}

func TestSecretFormatting(t *testing.T) {
	s := Secret("abc")
	for _, f := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%d", "%10s"} {
		if out := fmt.Sprintf(f, s); strings.Contains(out, "abc") || strings.Contains(out, "616263") {
			t.Errorf("%s leaks: %s", f, out)
		}
	}
	if Secret("").String() != "" {
		t.Error("an empty secret should look empty")
	}
	// New's error about a bad token says where, not what.
	_, err := New(Config{ClientCode: "a", Token: "TOKEN-s3cr3t\nrest"})
	if err == nil || strings.Contains(err.Error(), "s3cr3t") {
		t.Errorf("New error %v", err)
	}
}
