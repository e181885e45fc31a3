package outpath

import (
	"fmt"
	"strings"
	"text/template"
	"time"
)

// Fields are the values a path template can use, as {{.Date}}, {{.RunID}}...
// All times are of the run's start, in UTC.
type Fields struct {
	Date  string // "2024-05-01"
	Time  string // "021500" (HHMMSS)
	Year  string // "2024"
	Month string // "05"
	Day   string // "01"
	RunID string // the run's ID, as in the state and the manifest
	Shard string // "s003" with sharding, "" without
}

// NewFields returns the fields of a run that started at start, with ID runID,
// as shard (such as "s003", or "").
//
// To expand a template the same way on --resume, pass the StartedAt and RunID
// of the run's state, not new ones: the resumed run then continues into the
// same partition.
func NewFields(start time.Time, runID, shard string) Fields {
	t := start.UTC()
	return Fields{
		Date:  t.Format("2006-01-02"),
		Time:  t.Format("150405"),
		Year:  t.Format("2006"),
		Month: t.Format("01"),
		Day:   t.Format("02"),
		RunID: runID,
		Shard: shard,
	}
}

// HasTemplate reports whether s holds template actions ("{{").
func HasTemplate(s string) bool { return strings.Contains(s, "{{") }

// Expand expands the Go text/template s with f:
//
//	s3://lake/target_profiles/dt={{.Date}}/run={{.RunID}}/
//	→ s3://lake/target_profiles/dt=2024-05-01/run=20240501T021500Z-3f2a9c1b7d4e/
//
// A value without "{{" is returned unchanged. An unknown field, such as
// {{.Hour}}, is an error. Expand a run's templates once, at its start, and
// keep the result (in the state): a template expanded again later would name
// another place as soon as a field changes.
func Expand(s string, f Fields) (string, error) {
	if !HasTemplate(s) {
		return s, nil
	}
	t, err := template.New("output").Option("missingkey=error").Parse(s)
	if err != nil {
		return "", fmt.Errorf("path template %q: %w", redact(s), err)
	}
	var b strings.Builder
	if err := t.Execute(&b, f); err != nil {
		return "", fmt.Errorf("path template %q: %w (fields: Date, Time, Year, Month, Day, RunID, Shard)", redact(s), err)
	}
	return b.String(), nil
}

// Root returns the fixed directory of a template: its part before the first
// action, up to the last "/" there, with the URL's query parameters kept:
//
//	s3://lake/tp/dt={{.Date}}/run={{.RunID}}/?region=eu-west-1
//	→ s3://lake/tp/?region=eu-west-1
//
// Every expansion of the template lies below it, so a run that must find the
// states of earlier runs of the same template (--resume without a local state
// directory) can list there. A template in the bucket name has no root and is
// an error. A value without template is returned parsed as it is.
func Root(s string) (Location, error) {
	i := strings.Index(s, "{{")
	if i < 0 {
		return Parse(s)
	}
	static := s[:i]
	if !IsURL(s) {
		j := strings.LastIndexByte(static, '/')
		if j < 0 {
			return Parse("./")
		}
		return Parse(static[:j+1])
	}
	base, query, _ := strings.Cut(s, "?")
	if strings.Contains(query, "{{") && !strings.Contains(base, "{{") {
		return Location{}, fmt.Errorf("path template %q: templates go in the path, not in the query", redact(s))
	}
	host := static[strings.Index(static, "://")+3:]
	j := strings.LastIndexByte(host, '/')
	if j < 0 {
		return Location{}, fmt.Errorf("path template %q: the bucket name must be fixed, templates go in the path", redact(s))
	}
	root := static[:len(static)-len(host)+j+1]
	if query != "" {
		root += "?" + query
	}
	return Parse(root)
}
