// Package s3test serves the S3 API in memory on a loopback port, for tests of
// outputs in object storage, like net/http/httptest does for HTTP servers.
package s3test

import (
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"testing"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
)

// Bucket is the name of the bucket every server starts with.
const Bucket = "lake"

// Start serves the S3 API (gofakes3, in memory) until the test ends, with the
// bucket Bucket, and returns the query that points a gocloud s3:// URL at it, as in
// "s3://lake/prefix/?"+query. It points the AWS SDK's credential chain, of this
// process and of the processes it starts, at static test credentials, away from any
// real account; it therefore uses t.Setenv and cannot run in a parallel test.
func Start(t testing.TB) (query string) {
	t.Helper()
	none := filepath.Join(t.TempDir(), "none")
	for k, v := range map[string]string{
		"AWS_ACCESS_KEY_ID": "test-key", "AWS_SECRET_ACCESS_KEY": "test-secret", "AWS_SESSION_TOKEN": "",
		"AWS_PROFILE": "", "AWS_CONFIG_FILE": none, "AWS_SHARED_CREDENTIALS_FILE": none,
		"AWS_EC2_METADATA_DISABLED": "true", "AWS_REGION": "", "AWS_ENDPOINT_URL": "", "AWS_ENDPOINT_URL_S3": "",
	} {
		t.Setenv(k, v)
	}
	backend := s3mem.New()
	if err := backend.CreateBucket(Bucket); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(gofakes3.New(backend).Server())
	t.Cleanup(srv.Close)
	// gofakes3 returns no checksums: without response_checksum_validation the SDK
	// would log that it cannot validate each answer.
	return url.Values{
		"endpoint": {srv.URL}, "use_path_style": {"true"}, "disable_https": {"true"}, "region": {"us-east-1"},
		"response_checksum_validation": {"when_required"},
	}.Encode()
}
