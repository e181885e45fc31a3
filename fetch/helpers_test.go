package fetch

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/profile-export/profile-export/row"
)

// profileJSON is a documented 200 answer, with odd spacing to check it is kept verbatim.
const profileJSON = `{ "client":"acmecorp", "visitorId":"a1-mbox3rdPartyId",
  "modifiedAt":"2017-08-18T17:53:39.003-04:00",
  "profileAttributes":{"user.memberlevel":{"value":"0.0","modifiedAt":"2017-08-09T18:18:04.661-04:00"}}}`

// fastConfig is a Config for tests: short waits, few retries.
func fastConfig(baseURL string) Config {
	return Config{
		BaseURL:     baseURL,
		ClientCode:  "acme",
		Retries:     2,
		Timeout:     5 * time.Second,
		BackoffBase: time.Millisecond,
		BackoffMax:  2 * time.Millisecond,
	}
}

func mustNew(t testing.TB, cfg Config) *Client {
	t.Helper()
	c, err := New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return c
}

// server is a loopback test server that counts requests and serves them with
// handle(n, w, r), n counting from 1.
type server struct {
	*httptest.Server
	hits atomic.Int64
	mu   sync.Mutex
	reqs []*http.Request // shallow copies of received requests
}

func newServer(t testing.TB, handle func(n int, w http.ResponseWriter, r *http.Request)) *server {
	t.Helper()
	s := &server{}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := int(s.hits.Add(1))
		s.mu.Lock()
		s.reqs = append(s.reqs, r.Clone(context.Background()))
		s.mu.Unlock()
		handle(n, w, r)
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *server) requests() []*http.Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]*http.Request(nil), s.reqs...)
}

// fetchOne fetches a thirdPartyId with a test deadline.
func fetchOne(t testing.TB, c *Client, id string) Result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	return c.Fetch(ctx, row.ThirdPartyID, id)
}
