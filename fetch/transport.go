package fetch

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net"
	"net/http"
	"os"
	"time"
)

// newTransport returns the transport of a Client: proxy from the environment
// (HTTPS_PROXY, HTTP_PROXY, NO_PROXY), keep-alives, enough idle connections per
// host for every worker, HTTP/2 over https, and TLS always verified against the
// system roots plus the certificates of caFile.
//
// Compression is left on: Go's transport then asks for gzip itself and decodes it
// transparently, so the MaxBody limit, applied while reading, bounds the decoded
// size (a gzip bomb cannot inflate past it).
func newTransport(concurrency int, caFile string) (*http.Transport, error) {
	tlsConf := &tls.Config{MinVersion: tls.VersionTLS12}
	if caFile != "" {
		pem, err := os.ReadFile(caFile)
		if err != nil {
			return nil, fmt.Errorf("CA file: %w", err)
		}
		pool, err := x509.SystemCertPool()
		if err != nil || pool == nil {
			pool = x509.NewCertPool()
		}
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("CA file %s: no PEM certificate found", caFile)
		}
		tlsConf.RootCAs = pool
	}
	perHost := max(concurrency, 1) + 2 // a little slack for retries racing new rows
	return &http.Transport{
		Proxy: http.ProxyFromEnvironment,
		DialContext: (&net.Dialer{
			Timeout:   30 * time.Second,
			KeepAlive: 30 * time.Second,
		}).DialContext,
		TLSClientConfig:       tlsConf,
		ForceAttemptHTTP2:     true, // needed since TLSClientConfig is set
		MaxIdleConns:          max(100, 2*perHost),
		MaxIdleConnsPerHost:   perHost,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   10 * time.Second,
		ExpectContinueTimeout: time.Second,
		ResponseHeaderTimeout: 0, // the per-attempt context bounds the whole exchange
	}, nil
}
