package fetch

import (
	"crypto/tls"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
)

// newTLSServer starts an HTTP/2-capable TLS loopback server and writes its
// certificate to a PEM file.
func newTLSServer(t *testing.T, h http.HandlerFunc) (*httptest.Server, string) {
	t.Helper()
	s := httptest.NewUnstartedServer(h)
	s.Config.ErrorLog = log.New(io.Discard, "", 0) // the expected handshake failure
	s.EnableHTTP2 = true
	s.StartTLS()
	t.Cleanup(s.Close)
	caFile := filepath.Join(t.TempDir(), "ca.pem")
	pemBytes := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: s.Certificate().Raw})
	if err := os.WriteFile(caFile, pemBytes, 0o600); err != nil {
		t.Fatal(err)
	}
	return s, caFile
}

func TestTLS(t *testing.T) {
	var proto atomic.Int32
	s, caFile := newTLSServer(t, func(w http.ResponseWriter, r *http.Request) {
		proto.Store(int32(r.ProtoMajor))
		fmt.Fprint(w, profileJSON)
	})
	cfg := fastConfig(s.URL)

	// Untrusted certificate: fatal, every row would fail the same way.
	res := fetchOne(t, mustNew(t, cfg), "x")
	var cve *tls.CertificateVerificationError
	if res.Outcome != Fatal || res.Attempts != 1 || !errors.As(res.Err, &cve) {
		t.Fatalf("untrusted certificate: %+v", res)
	}

	// Trusted through CAFile, over HTTP/2.
	cfg.CAFile = caFile
	res = fetchOne(t, mustNew(t, cfg), "x")
	if res.Outcome != OK || string(res.Body) != profileJSON {
		t.Fatalf("with CAFile: %+v", res)
	}
	if proto.Load() != 2 {
		t.Errorf("HTTP/%d, want HTTP/2", proto.Load())
	}
}

func TestCAFileErrors(t *testing.T) {
	dir := t.TempDir()
	notPEM := filepath.Join(dir, "x.pem")
	os.WriteFile(notPEM, []byte("not a certificate"), 0o600)
	for _, f := range []string{filepath.Join(dir, "missing.pem"), notPEM} {
		if _, err := New(Config{ClientCode: "a", CAFile: f}); err == nil {
			t.Errorf("CAFile %s accepted", f)
		}
	}
}

func TestTransportSizing(t *testing.T) {
	tr, err := newTransport(64, "")
	if err != nil {
		t.Fatal(err)
	}
	if tr.MaxIdleConnsPerHost < 64 || tr.MaxIdleConns < tr.MaxIdleConnsPerHost {
		t.Errorf("idle connections: %d per host, %d in all, for 64 workers", tr.MaxIdleConnsPerHost, tr.MaxIdleConns)
	}
	if tr.Proxy == nil || tr.DisableKeepAlives || tr.DisableCompression || !tr.ForceAttemptHTTP2 ||
		tr.TLSClientConfig == nil || tr.TLSClientConfig.InsecureSkipVerify {
		t.Errorf("transport settings: %+v", tr)
	}
}

// Answers of every kind leave the connection reusable: bodies are read or
// drained, and closed.
func TestConnectionReuse(t *testing.T) {
	var conns atomic.Int32
	s := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path[len("/rest/v1/profiles/thirdPartyId/"):] {
		case "ok":
			fmt.Fprint(w, profileJSON)
		case "missing":
			w.WriteHeader(404)
			fmt.Fprint(w, `{"status":404,"message":"No profile found"}`)
		case "bad":
			w.WriteHeader(400)
			w.Write(make([]byte, 40<<10)) // longer than the message excerpt, within the drain
		case "down":
			w.WriteHeader(503)
			fmt.Fprint(w, "<html>maintenance</html>")
		}
	}))
	s.Config.ConnState = func(_ net.Conn, st http.ConnState) {
		if st == http.StateNew {
			conns.Add(1)
		}
	}
	s.Start()
	defer s.Close()
	c := mustNew(t, fastConfig(s.URL)) // the real transport
	for range 3 {
		for _, id := range []string{"ok", "missing", "bad", "down"} {
			fetchOne(t, c, id)
		}
	}
	if n := conns.Load(); n != 1 {
		t.Errorf("%d connections for sequential requests, want 1", n)
	}
	c.CloseIdleConnections()
	fetchOne(t, c, "ok")
	if n := conns.Load(); n != 2 {
		t.Errorf("after CloseIdleConnections: %d connections, want 2", n)
	}
}
