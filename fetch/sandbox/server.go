package sandbox

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"sync"
	"time"
)

// Server is a running sandbox: the simulated API served over HTTP on a TCP address.
type Server struct {
	// URL is the base URL of the API, such as "http://127.0.0.1:41234", without a
	// trailing slash; profile paths go right after it.
	URL string
	// Addr is the address listened on, such as "127.0.0.1:41234".
	Addr string

	h         *Handler
	srv       *http.Server
	served    chan error
	closeOnce sync.Once
	closeErr  error
}

// Start listens on addr ("127.0.0.1:0" picks a free loopback port) and serves the
// simulated API for cfg in the background until Close.
func Start(addr string, cfg Config) (*Server, error) {
	h, err := NewHandler(cfg)
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("sandbox: listening on %s: %w", addr, err)
	}
	s := &Server{
		URL:  "http://" + ln.Addr().String(),
		Addr: ln.Addr().String(),
		h:    h,
		srv: &http.Server{
			Handler:           h,
			ReadHeaderTimeout: 10 * time.Second,
			IdleTimeout:       2 * time.Minute,
		},
		served: make(chan error, 1),
	}
	go func() { s.served <- s.srv.Serve(ln) }()
	return s, nil
}

// Stats returns what the server has served so far; the same is at GET /_sandbox/stats.
func (s *Server) Stats() Stats { return s.h.Stats() }

// Close stops the server: it closes the listener and every connection, ends hanging
// requests, and waits for running handlers to return. It is idempotent.
func (s *Server) Close() error {
	s.closeOnce.Do(func() {
		err := s.srv.Close()
		s.h.Close()
		if serveErr := <-s.served; !errors.Is(serveErr, http.ErrServerClosed) {
			err = errors.Join(err, serveErr)
		}
		if err != nil {
			s.closeErr = fmt.Errorf("sandbox: closing %s: %w", s.Addr, err)
		}
	})
	return s.closeErr
}

// TB is the part of testing.TB that StartTest needs; *testing.T and *testing.B
// satisfy it, without this package importing "testing".
type TB interface {
	Helper()
	Fatalf(format string, args ...any)
	Cleanup(func())
}

// StartTest starts a sandbox on a free loopback port for a test or benchmark, fails
// it when that is impossible, and closes the sandbox when it ends.
func StartTest(tb TB, cfg Config) *Server {
	tb.Helper()
	s, err := Start("127.0.0.1:0", cfg)
	if err != nil {
		tb.Fatalf("starting sandbox: %v", err)
		return nil
	}
	tb.Cleanup(func() { _ = s.Close() })
	return s
}
