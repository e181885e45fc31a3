package outpath

import (
	"strings"
	"testing"
	"time"
)

func TestParse(t *testing.T) {
	for _, c := range []struct {
		in   string
		want Location
		str  string // String()
	}{
		{"out/profiles.parquet", Location{Path: "out/profiles.parquet"}, "out/profiles.parquet"},
		{"out/", Location{Path: "out/", Dir: true}, "out/"},
		{"/abs/dir/", Location{Path: "/abs/dir/", Dir: true}, "/abs/dir/"},
		{"s3://lake/target_profiles/dt=2024-05-01/run=r1/",
			Location{Scheme: "s3", Bucket: "s3://lake", Prefix: "target_profiles/dt=2024-05-01/run=r1/", Dir: true},
			"s3://lake/target_profiles/dt=2024-05-01/run=r1/"},
		{"s3://lake/exports/profiles.parquet",
			Location{Scheme: "s3", Bucket: "s3://lake", Prefix: "exports/", Name: "profiles.parquet"},
			"s3://lake/exports/profiles.parquet"},
		{"s3://lake/profiles.jsonl.gz",
			Location{Scheme: "s3", Bucket: "s3://lake", Name: "profiles.jsonl.gz"},
			"s3://lake/profiles.jsonl.gz"},
		{"s3://lake", Location{Scheme: "s3", Bucket: "s3://lake", Dir: true}, "s3://lake/"},
		{"s3://lake/", Location{Scheme: "s3", Bucket: "s3://lake", Dir: true}, "s3://lake/"},
		{"S3://lake/x/", Location{Scheme: "s3", Bucket: "s3://lake", Prefix: "x/", Dir: true}, "s3://lake/x/"},
		// Driver parameters stay with the bucket, out of messages.
		{"s3://lake/x/?region=eu-west-1&endpoint=http://127.0.0.1:9000",
			Location{Scheme: "s3", Bucket: "s3://lake?region=eu-west-1&endpoint=http://127.0.0.1:9000", Prefix: "x/", Dir: true},
			"s3://lake/x/"},
		{"gs://bucket/a/b/", Location{Scheme: "gs", Bucket: "gs://bucket", Prefix: "a/b/", Dir: true}, "gs://bucket/a/b/"},
		{"azblob://container/p/out.parquet",
			Location{Scheme: "azblob", Bucket: "azblob://container", Prefix: "p/", Name: "out.parquet"},
			"azblob://container/p/out.parquet"},
		// A file URL's directory is the bucket.
		{"file:///data/exports/", Location{Scheme: "file", Bucket: "file:///data/exports", Dir: true}, "file:///data/exports/"},
		{"file:///data/exports/p.parquet",
			Location{Scheme: "file", Bucket: "file:///data/exports", Name: "p.parquet"},
			"file:///data/exports/p.parquet"},
		{"file://localhost/data/x/?no_tmp_dir=true",
			Location{Scheme: "file", Bucket: "file:///data/x?no_tmp_dir=true", Dir: true}, "file:///data/x/"},
		{"file:///data/with%20space/", Location{Scheme: "file", Bucket: "file:///data/with%20space", Dir: true}, "file:///data/with%20space/"},
	} {
		got, err := Parse(c.in)
		if err != nil {
			t.Errorf("Parse(%q): %v", c.in, err)
			continue
		}
		c.want.Raw = c.in
		if got != c.want {
			t.Errorf("Parse(%q) =\n  %+v\nwant\n  %+v", c.in, got, c.want)
		}
		if got.IsURL() != (c.want.Scheme != "") {
			t.Errorf("Parse(%q).IsURL() = %v", c.in, got.IsURL())
		}
		if s := got.String(); s != c.str {
			t.Errorf("Parse(%q).String() = %q, want %q", c.in, s, c.str)
		}
	}
}

func TestParseRefuses(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"", "empty"},
		{"http://host/x/", "unsupported scheme"},
		{"hdfs://nn/x/", "unsupported scheme"},
		{"s3:///x/", "no bucket"},
		{"s3://lake:9000/x/", "port"},
		{"s3://key:secret@lake/x/", "credentials"},
		{"s3://lake/a//b/", "empty path element"},
		{"s3://lake/a/../b/", `".."`},
		{"s3://lake/./b", `"."`},
		{"s3://lake/x/#frag", "fragment"},
		{"file://host/data/", "host"},
		{"file:///out.parquet", "needs a directory"},
		{"s3://lake/dt={{.Date}}/", "not expanded"},
	} {
		_, err := Parse(c.in)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("Parse(%q) = %v, want an error saying %q", c.in, err, c.want)
		}
		if err != nil && strings.Contains(err.Error(), "secret") {
			t.Errorf("Parse(%q) error repeats the credentials: %v", c.in, err)
		}
	}
}

func TestIsURL(t *testing.T) {
	for in, want := range map[string]bool{
		"s3://b/": true, "file:///x": true, "gs://b": true,
		"out.parquet": false, `C:\out\`: false, "C:/out/": false, "./s3://x": false, "dir/s3:/x": false,
	} {
		if got := IsURL(in); got != want {
			t.Errorf("IsURL(%q) = %v, want %v", in, got, want)
		}
	}
}

var start = time.Date(2024, 5, 1, 23, 15, 9, 0, time.FixedZone("CEST", 2*3600)) // 21:15:09 UTC

func TestNewFieldsUseUTC(t *testing.T) {
	f := NewFields(start, "r1", "s003")
	want := Fields{Date: "2024-05-01", Time: "211509", Year: "2024", Month: "05", Day: "01", RunID: "r1", Shard: "s003"}
	if f != want {
		t.Errorf("NewFields = %+v, want %+v", f, want)
	}
	// Just after midnight local time is still the day before in UTC.
	if f := NewFields(time.Date(2024, 5, 2, 1, 0, 0, 0, time.FixedZone("CEST", 2*3600)), "", ""); f.Date != "2024-05-01" {
		t.Errorf("Date = %s, want the UTC date 2024-05-01", f.Date)
	}
}

func TestExpand(t *testing.T) {
	f := NewFields(start, "20240501T211509Z-3f2a9c1b7d4e", "s003")
	noShard := NewFields(start, "r9", "")
	for _, c := range []struct {
		in   string
		f    Fields
		want string
	}{
		{"s3://lake/target_profiles/dt={{.Date}}/run={{.RunID}}/", f,
			"s3://lake/target_profiles/dt=2024-05-01/run=20240501T211509Z-3f2a9c1b7d4e/"},
		{"gs://b/year={{.Year}}/month={{.Month}}/day={{.Day}}/", f, "gs://b/year=2024/month=05/day=01/"},
		{"out/{{.Date}}T{{.Time}}-{{.Shard}}.parquet", f, "out/2024-05-01T211509-s003.parquet"},
		{"out/profiles{{if .Shard}}-{{.Shard}}{{end}}.parquet", noShard, "out/profiles.parquet"},
		{"s3://lake/x/?region=eu-west-1", f, "s3://lake/x/?region=eu-west-1"},
		{"plain/path/", f, "plain/path/"},
	} {
		got, err := Expand(c.in, c.f)
		if err != nil || got != c.want {
			t.Errorf("Expand(%q) = %q, %v; want %q", c.in, got, err, c.want)
			continue
		}
		if _, err := Parse(got); err != nil {
			t.Errorf("Parse(Expand(%q)): %v", c.in, err)
		}
	}
}

func TestExpandRefuses(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"s3://lake/{{.Hour}}/", "Hour"},
		{"s3://lake/{{.Date}/", "path template"},
		{"s3://lake/{{.Date}}/{{", "path template"},
	} {
		_, err := Expand(c.in, NewFields(start, "r", ""))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("Expand(%q) = %v, want an error saying %q", c.in, err, c.want)
		}
	}
}

// TestExpandIsStableForResume checks what --resume relies on: the fields of
// the state (start time, run ID) give back the same place, whenever the
// expansion runs.
func TestExpandIsStableForResume(t *testing.T) {
	const tmpl = "s3://lake/tp/dt={{.Date}}/t={{.Time}}/run={{.RunID}}/"
	first, _ := Expand(tmpl, NewFields(start, "r1", ""))
	again, _ := Expand(tmpl, NewFields(start.In(time.UTC), "r1", ""))
	if first != again {
		t.Errorf("expanded %q, then %q", first, again)
	}
	other, _ := Expand(tmpl, NewFields(start.Add(time.Second), "r2", ""))
	if other == first {
		t.Errorf("another run expanded to the same place %q", other)
	}
}

func TestEmptyShardBetweenSlashesIsCaught(t *testing.T) {
	got, err := Expand("s3://lake/tp/{{.Shard}}/", NewFields(start, "r", ""))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Parse(got); err == nil || !strings.Contains(err.Error(), "empty path element") {
		t.Errorf("Parse(%q) = %v, want the empty element refused", got, err)
	}
}

func TestRoot(t *testing.T) {
	for _, c := range []struct{ in, bucket, prefix, path string }{
		{"s3://lake/tp/dt={{.Date}}/run={{.RunID}}/", "s3://lake", "tp/", ""},
		{"s3://lake/tp/dt={{.Date}}/?region=eu-west-1", "s3://lake?region=eu-west-1", "tp/", ""},
		{"s3://lake/{{.Date}}/", "s3://lake", "", ""},
		{"s3://lake/tp/run-{{.RunID}}.parquet", "s3://lake", "tp/", ""},
		{"file:///data/x/{{.Date}}/", "file:///data/x", "", ""},
		{"s3://lake/fixed/", "s3://lake", "fixed/", ""},
		{"exports/dt={{.Date}}/", "", "", "exports/"},
		{"{{.Date}}.parquet", "", "", "./"},
	} {
		got, err := Root(c.in)
		if err != nil {
			t.Errorf("Root(%q): %v", c.in, err)
			continue
		}
		if got.Bucket != c.bucket || got.Prefix != c.prefix || got.Path != c.path || !got.Dir {
			t.Errorf("Root(%q) = %+v, want bucket %q prefix %q path %q, a directory", c.in, got, c.bucket, c.prefix, c.path)
		}
	}
	for _, in := range []string{"s3://lake-{{.Date}}/x/", "s3://{{.Date}}/", "s3://lake/x/?region={{.Date}}"} {
		if _, err := Root(in); err == nil {
			t.Errorf("Root(%q) succeeded, want the template outside the path refused", in)
		}
	}
}
