package main

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/profile-export/profile-export/fetch/sandbox"
	"github.com/profile-export/profile-export/job"
)

// A client that requires a token: without one the run stops at once with exit 4 and
// a message saying how to pass it, after no more requests than were in flight; with
// the token (environment or file) it works, and --resume completes the stopped run.
func TestE2EAuth(t *testing.T) {
	t.Parallel()
	const token = "e2e-profile-token-3f9a"
	cfg := sandbox.Config{Seed: 41, Token: token}
	sb := sandbox.StartTest(t, cfg)
	rows := genRows(600, 41)
	in := filepath.Join(t.TempDir(), "ids.csv")
	writeCSV(t, in, rows)
	const conc = 4
	flags := []string{"-c", fmt.Sprint(conc)}

	out := filepath.Join(t.TempDir(), "profiles.jsonl")
	began := time.Now()
	p := run(t, nil, exportArgs(in, out, sb.URL, flags...)...)
	p.expectCode(job.ExitFatal)
	if d := time.Since(began); d > 10*time.Second {
		t.Errorf("a run refused by the API took %s to stop", d)
	}
	if msg := p.stderr.String(); !strings.Contains(msg, "401") || !strings.Contains(msg, "TARGET_PROFILE_TOKEN") || !strings.Contains(msg, "--token-file") {
		t.Errorf("the message does not say the API wants a token and how to give it:\n%s", msg)
	}
	st := sb.Stats()
	if st.ByStatus[401] > conc || st.Requests > conc {
		t.Errorf("the server saw %d requests (%d answered 401) for %d in flight: the run went on after the first 401", st.Requests, st.ByStatus[401], conc)
	}
	if fileExists(out) {
		t.Errorf("%s was written by a run the API refused", out)
	}

	// The stopped run resumes with the token from the environment.
	run(t, []string{"TARGET_PROFILE_TOKEN=" + token}, exportArgs(in, out, sb.URL, append(flags, "--resume")...)...).expectCode(job.ExitOK)
	checkExactlyOnce(t, rows, readSingle(t, out), expectation{cfg: cfg})

	// A token file works too, its final newline ignored.
	tokFile := filepath.Join(t.TempDir(), "token")
	if err := os.WriteFile(tokFile, []byte(token+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	out2 := filepath.Join(t.TempDir(), "p.parquet")
	run(t, nil, exportArgs(in, out2, sb.URL, append(flags, "--token-file", tokFile)...)...).expectCode(job.ExitOK)
	checkExactlyOnce(t, rows, readSingle(t, out2), expectation{cfg: cfg})

	// A wrong token: exit 4, and the message says the token was refused.
	p = run(t, []string{"TARGET_PROFILE_TOKEN=not-the-token"}, exportArgs(in, filepath.Join(t.TempDir(), "x.jsonl"), sb.URL, flags...)...)
	p.expectCode(job.ExitFatal)
	if !strings.Contains(p.stderr.String(), "rejected the token") {
		t.Errorf("the message does not say the token was refused:\n%s", p.stderr.String())
	}
}

// The token is never written anywhere: not on stdout or stderr (debug logs
// included), not in outputs, rejects, state, manifest, summary or staging files,
// whether the run succeeds, is refused (401), or exhausts its retries on 5xx, even
// when the server echoes the token back in its error messages.
func TestE2ETokenNeverWritten(t *testing.T) {
	t.Parallel()
	var rnd [16]byte
	_, _ = rand.Read(rnd[:])
	token := "tok-" + hex.EncodeToString(rnd[:])
	tokDir := t.TempDir() // the token file is the one place the token may be
	tokFile := filepath.Join(tokDir, "token")
	if err := os.WriteFile(tokFile, []byte(token), 0o600); err != nil {
		t.Fatal(err)
	}
	rows := genRows(60, 42)
	in := filepath.Join(t.TempDir(), "ids.csv")
	writeCSV(t, in, rows)

	good := sandbox.StartTest(t, sandbox.Config{Token: token})
	other := sandbox.StartTest(t, sandbox.Config{Token: "another-token"})
	echo := httptest.NewServer(echoTokenHandler(token + "-right"))
	t.Cleanup(echo.Close)
	echoIn := filepath.Join(t.TempDir(), "echo.csv")
	if err := os.WriteFile(echoIn, []byte("id,type\nok-1,thirdPartyId\nnf-2,thirdPartyId\nerr-3,thirdPartyId\nok-4,thirdPartyId\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	echoRight := httptest.NewServer(echoTokenHandler(token))
	t.Cleanup(echoRight.Close)

	for _, tc := range []struct {
		name, in, url, out string
		env                []string
		extra              []string
		code               int
		echoed             bool // the server echoes the token: its messages must be written, scrubbed
	}{
		{name: "success-file", in: in, url: good.URL, out: "p.parquet", extra: []string{"--token-file", tokFile}, code: job.ExitOK},
		{name: "success-dir-env", in: in, url: good.URL, out: "d/", env: []string{"TARGET_PROFILE_TOKEN=" + token}, code: job.ExitOK},
		{name: "wrong-token", in: in, url: other.URL, out: "p.jsonl", extra: []string{"--token-file", tokFile}, code: job.ExitFatal},
		{name: "wrong-token-echoed", in: echoIn, url: echo.URL, out: "p.jsonl", extra: []string{"--token-file", tokFile}, code: job.ExitFatal, echoed: true},
		{name: "5xx-exhausted-echoed", in: echoIn, url: echoRight.URL, out: "p.jsonl", env: []string{"TARGET_PROFILE_TOKEN=" + token}, extra: []string{"--retries", "1"}, code: job.ExitFailed, echoed: true},
		{name: "5xx-exhausted-dir", in: echoIn, url: echoRight.URL, out: "d/", extra: []string{"--token-file", tokFile, "--retries", "0"}, code: job.ExitFailed, echoed: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			root := t.TempDir()
			summary := filepath.Join(root, "summary.json")
			args := exportArgs(tc.in, joinOut(root, tc.out), tc.url,
				append([]string{"--log-level", "debug", "--summary", summary, "-c", "4"}, tc.extra...)...)
			p := run(t, tc.env, args...)
			p.expectCode(tc.code)
			if !fileExists(summary) {
				t.Errorf("no --summary file written")
			}
			if bytes.Contains(p.stdout.Bytes(), []byte(token)) {
				t.Errorf("the token is on stdout")
			}
			if bytes.Contains(p.stderr.Bytes(), []byte(token)) {
				t.Errorf("the token is on stderr:\n%s", p.stderr.String())
			}
			files := 0
			all := append(p.stdout.Bytes(), p.stderr.Bytes()...)
			err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
				if err != nil || d.IsDir() {
					return err
				}
				files++
				b, err := os.ReadFile(path)
				if err != nil {
					return err
				}
				if bytes.Contains(b, []byte(token)) {
					t.Errorf("the token is in %s", path)
				}
				all = append(all, b...)
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if tc.echoed && !bytes.Contains(all, []byte("(request had Authorization: ")) {
				t.Errorf("the server's echoing messages were written nowhere: the test checks nothing")
			}
			if files < 2 {
				t.Errorf("only %d files written: nothing much was checked", files)
			}
		})
	}
}

// echoTokenHandler is a hostile API that requires the token want and puts whatever
// token it receives into its error messages: 401 for another token, else by ID:
// ok-* answer a profile, nf-* a 404 and err-* a 503.
func echoTokenHandler(want string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got := r.Header.Get("Authorization")
		msg := func(status int, text string) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(status)
			fmt.Fprintf(w, `{"status":%d,"message":"%s (request had Authorization: %s)"}`, status, text, got)
		}
		id := r.URL.Path[strings.LastIndexByte(r.URL.Path, '/')+1:]
		switch {
		case got != "Bearer "+want:
			msg(http.StatusUnauthorized, "bad token")
		case strings.HasPrefix(id, "ok-"):
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprintf(w, `{"client":"echo","visitorId":%q,"profileAttributes":{}}`, id)
		case strings.HasPrefix(id, "nf-"):
			msg(http.StatusNotFound, "No profile found for client echo with third party id="+id)
		default:
			msg(http.StatusServiceUnavailable, "upstream failed")
		}
	})
}
