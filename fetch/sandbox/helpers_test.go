package sandbox

import (
	"io"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/profile-export/profile-export/row"
)

// newClient returns a client of its own, so tests do not share connection pools.
func newClient(t *testing.T, timeout time.Duration) *http.Client {
	t.Helper()
	tr := &http.Transport{MaxIdleConnsPerHost: 16}
	t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr, Timeout: timeout}
}

// profileURL builds the documented URL of (t, id), escaping the ID as one segment.
func profileURL(base string, t row.Type, id, client string) string {
	u := base + "/rest/v1/profiles/"
	if t != row.TntID {
		u += string(t) + "/"
	}
	u += url.PathEscape(id)
	if client != "" {
		u += "?client=" + url.QueryEscape(client)
	}
	return u
}

type answer struct {
	status int
	header http.Header
	body   []byte
}

// get does a GET and reads the whole answer, failing the test on any error.
func get(t *testing.T, c *http.Client, u string, header http.Header) answer {
	t.Helper()
	res, body, err := tryGet(c, u, header)
	if err != nil {
		t.Fatalf("GET %s: %v", u, err)
	}
	return answer{res.StatusCode, res.Header, body}
}

// tryGet does a GET and reads the whole answer, returning the first error.
func tryGet(c *http.Client, u string, header http.Header) (*http.Response, []byte, error) {
	req, err := http.NewRequest(http.MethodGet, u, nil)
	if err != nil {
		return nil, nil, err
	}
	for k, v := range header {
		req.Header[k] = v
	}
	res, err := c.Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	return res, body, err
}

// idsOf makes n distinct plausible IDs of type t.
func idsOf(t row.Type, n int) []string {
	ids := make([]string, n)
	for i := range ids {
		switch t {
		case row.TntID:
			ids[i] = "111492025" + pad(i, 6) + "-353046"
		case row.ECID:
			ids[i] = "4686541372829862830123456789" + pad(i, 10)
		default:
			ids[i] = "CRM-" + pad(i, 7)
		}
	}
	return ids
}

func pad(n, width int) string {
	s := []byte("0000000000000000")[:width]
	for i := width - 1; i >= 0 && n > 0; i-- {
		s[i] = byte('0' + n%10)
		n /= 10
	}
	return string(s)
}

var allTypes = []row.Type{row.TntID, row.ECID, row.ThirdPartyID}
