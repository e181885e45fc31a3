package writer

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"testing"
	"time"
)

// decoded is the result of a decode in a comparable form: nil means absent.
type decoded struct {
	VisitorID  *string
	ModifiedAt *time.Time
	Attrs      map[string]*string
}

func (d decoded) String() string {
	s := "visitorId="
	if d.VisitorID != nil {
		s += fmt.Sprintf("%q", *d.VisitorID)
	} else {
		s += "<nil>"
	}
	if d.ModifiedAt != nil {
		s += " modifiedAt=" + d.ModifiedAt.Format(time.RFC3339Nano)
	} else {
		s += " modifiedAt=<nil>"
	}
	s += " attrs={"
	for k, v := range d.Attrs {
		if v != nil {
			s += fmt.Sprintf("%q:%q ", k, *v)
		} else {
			s += fmt.Sprintf("%q:<nil> ", k)
		}
	}
	return s + "}"
}

func ptr[T any](v T) *T { return &v }

// fastDecode runs the package's decoder.
func fastDecode(body []byte) decoded {
	var a answer
	a.decode(body)
	d := decoded{Attrs: map[string]*string{}}
	if a.hasVisitorID {
		d.VisitorID = ptr(string(a.visitorID))
	}
	if a.hasModifiedAt {
		d.ModifiedAt = ptr(a.modifiedAt)
	}
	for _, at := range a.attrs {
		if at.null {
			d.Attrs[string(at.name)] = nil
		} else {
			d.Attrs[string(at.name)] = ptr(string(at.value))
		}
	}
	return d
}

// refText is the reference rule for a value as text, with encoding/json.
func refText(t testing.TB, raw json.RawMessage) *string {
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatal(err)
	}
	switch v := v.(type) {
	case nil:
		return nil
	case string:
		return &v
	}
	var b bytes.Buffer
	if err := json.Compact(&b, raw); err != nil {
		t.Fatal(err)
	}
	return ptr(b.String())
}

// refDecode decodes body the slow, obvious way, with encoding/json.
func refDecode(t testing.TB, body []byte) decoded {
	d := decoded{Attrs: map[string]*string{}}
	var top map[string]json.RawMessage
	if json.Unmarshal(body, &top) != nil || top == nil {
		return d // not an object
	}
	if raw, ok := top["visitorId"]; ok {
		d.VisitorID = refText(t, raw)
	}
	var s string
	if json.Unmarshal(top["modifiedAt"], &s) == nil {
		if tm, ok := parseModifiedAt([]byte(s)); ok {
			d.ModifiedAt = &tm
		}
	}
	var attrs map[string]json.RawMessage
	if json.Unmarshal(top["profileAttributes"], &attrs) == nil {
		for name, entry := range attrs {
			var fields map[string]json.RawMessage
			switch {
			case json.Unmarshal(entry, &fields) == nil && fields != nil:
				if v, ok := fields["value"]; ok {
					d.Attrs[name] = refText(t, v)
				} else {
					d.Attrs[name] = nil
				}
			default:
				d.Attrs[name] = refText(t, entry)
			}
		}
	}
	return d
}

var answerBodies = []string{
	// The documented answer.
	`{"client":"acmecorp","visitorId":"a1-mbox3rdPartyId","modifiedAt":"2017-08-18T17:53:39.003-04:00",
	  "profileAttributes":{"user.memberlevel":{"value":"0.0","modifiedAt":"2017-08-09T18:18:04.661-04:00"},
	  "firstSessionStart":{"value":"1500648715286","modifiedAt":"2017-07-21T10:51:55.286-04:00"}}}`,
	// The older generation: mboxPC, thirdPartyId, no offset.
	`{"mboxPC":"111492025094307-353046","thirdPartyId":"crm-42","modifiedAt":"2016-12-01T16:35:45",
	  "profileAttributes":{"a.b.c":{"value":"x"}}}`,
	`{}`, `[]`, `"a string"`, `null`, `42`, ` { } `,
	`{"visitorId":null,"modifiedAt":null,"profileAttributes":null}`,
	`{"visitorId":12345,"modifiedAt":"yesterday","profileAttributes":[1,2]}`,
	`{"visitorId":{"nested": [1, 2]},"modifiedAt":1500648715286}`,
	`{"profileAttributes":{"n":{"value":3.50},"b":{"value":true},"o":{"value":{"k": [1, "two", null]}},
	  "nul":{"value":null},"novalue":{"modifiedAt":"x"},"bare":"direct","barenum":7,"arr":[ 1 , 2 ]}}`,
	`{"profileAttributes":{"dup":{"value":"first"},"other":{"value":"o"},"dup":{"value":"last"}}}`,
	`{"profileAttributes":{"v":{"value":"first","value":"second"}}}`,
	`{"visitorId":"first","visitorId":"second"}`,
	`{"profileAttributes":{"é.日本":{"value":"naïve 😀"},"\u00e9\u0301":{"value":"\ud83d\ude00 \"q\" \\ \n"}}}`,
	`{"vis\u0069torId":"escaped key","profile\u0041ttributes":{"x":{"value":"y"}}}`,
	`{"VisitorID":"wrong case is not matched"}`,
	`{"profileAttributes":{"":{"value":""}}}`,
	"{\"profileAttributes\":{\"a\":{\"value\":\"line1\\nline2\"}},\n\"visitorId\" : \"spaced\" }",
	`{"other":{"profileAttributes":{"deep":{"value":"ignored"}},"visitorId":"ignored"},"visitorId":"top"}`,
	`{"s":"}{][\"\\","visitorId":"after tricky string"}`,
}

func TestDecodeMatchesReference(t *testing.T) {
	for _, body := range answerBodies {
		if !json.Valid([]byte(body)) {
			t.Fatalf("test body is not valid JSON: %s", body)
		}
		got, want := fastDecode([]byte(body)), refDecode(t, []byte(body))
		if !reflect.DeepEqual(got, want) {
			t.Errorf("decode(%s)\n got %v\nwant %v", body, got, want)
		}
	}
}

func TestDecodeDocumentedAnswer(t *testing.T) {
	var a answer
	a.decode([]byte(answerBodies[0]))
	if string(a.visitorID) != "a1-mbox3rdPartyId" {
		t.Errorf("visitorId = %q", a.visitorID)
	}
	want := time.Date(2017, 8, 18, 21, 53, 39, 3e6, time.UTC)
	if !a.hasModifiedAt || !a.modifiedAt.Equal(want) || a.modifiedAt.Location() != time.UTC {
		t.Errorf("modifiedAt = %v (%v), want %v", a.modifiedAt, a.hasModifiedAt, want)
	}
	// Attributes keep the order of the answer.
	var names []string
	for _, at := range a.attrs {
		names = append(names, string(at.name)+"="+string(at.value))
	}
	if got := fmt.Sprint(names); got != "[user.memberlevel=0.0 firstSessionStart=1500648715286]" {
		t.Errorf("attributes = %s", got)
	}
}

func TestDecodeReusesState(t *testing.T) {
	var a answer
	a.decode([]byte(answerBodies[0]))
	a.decode([]byte(`{}`))
	if a.hasVisitorID || a.hasModifiedAt || len(a.attrs) != 0 {
		t.Errorf("fields of the previous answer leaked into the next: %+v", a)
	}
}

func FuzzDecode(f *testing.F) {
	for _, body := range answerBodies {
		f.Add(body)
	}
	f.Fuzz(func(t *testing.T, body string) {
		// The encoder hands decode only valid JSON in valid UTF-8.
		if !json.Valid([]byte(body)) || !bytes.Equal([]byte(body), bytes.ToValidUTF8([]byte(body), nil)) {
			return
		}
		got, want := fastDecode([]byte(body)), refDecode(t, []byte(body))
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("decode(%s)\n got %v\nwant %v", body, got, want)
		}
	})
}

func TestParseModifiedAt(t *testing.T) {
	utc := func(y, mo, d, h, mi, s, ms int) time.Time {
		return time.Date(y, time.Month(mo), d, h, mi, s, ms*1e6, time.UTC)
	}
	for _, c := range []struct {
		in   string
		want time.Time // zero: absent
	}{
		{"2017-08-18T17:53:39.003-04:00", utc(2017, 8, 18, 21, 53, 39, 3)},
		{"2017-08-18T17:53:39-04:00", utc(2017, 8, 18, 21, 53, 39, 0)},
		{"2017-08-18T17:53:39.003Z", utc(2017, 8, 18, 17, 53, 39, 3)},
		{"2017-08-18T17:53:39.003z", utc(2017, 8, 18, 17, 53, 39, 3)},
		{"2017-08-18T17:53:39.003+0200", utc(2017, 8, 18, 15, 53, 39, 3)},
		{"2017-08-18T17:53:39+02", utc(2017, 8, 18, 15, 53, 39, 0)},
		{"2016-12-01T16:35:45", utc(2016, 12, 1, 16, 35, 45, 0)}, // no offset: UTC
		{"2016-12-01T16:35:45.5", utc(2016, 12, 1, 16, 35, 45, 500)},
		{"2016-12-01 16:35:45", utc(2016, 12, 1, 16, 35, 45, 0)},
		{"2016-12-01T16:35:45.123456789Z", time.Date(2016, 12, 1, 16, 35, 45, 123456789, time.UTC)},
		{"", time.Time{}},
		{"yesterday", time.Time{}},
		{"2016-12-01", time.Time{}},
		{"2016-13-01T16:35:45", time.Time{}},
		{"2016-12-01T16:35:45 junk", time.Time{}},
		{"2016-12-01T16:35:45+25:00", time.Time{}},
		{"1500648715286", time.Time{}},
	} {
		got, ok := parseModifiedAt([]byte(c.in))
		if ok != !c.want.IsZero() || !got.Equal(c.want) {
			t.Errorf("parseModifiedAt(%q) = %v, %v; want %v", c.in, got, ok, c.want)
		}
		if ok && got.Location() != time.UTC {
			t.Errorf("parseModifiedAt(%q) is in %v, want UTC", c.in, got.Location())
		}
	}
}
