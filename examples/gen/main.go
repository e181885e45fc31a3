// Command gen writes the example input examples/ids.csv to standard output:
//
//	go run ./examples/gen > examples/ids.csv
//
// About a thousand realistic rows of the three ID types, with type names in their
// various aliases and cases, IDs holding characters that need escaping in a URL,
// a few quoted fields, duplicates, and six broken rows. The output is the same on
// every run, so the file can be regenerated and diffed.
package main

import (
	"bufio"
	"fmt"
	"math/rand/v2"
	"os"
	"strings"
)

// Row counts of the generated (non-hand-written) rows.
const (
	nTnt   = 350
	nECID  = 300
	nThird = 320
)

// field is one CSV field; quoted forces quotes where none are needed.
type field struct {
	s      string
	quoted bool
}

type record []field

func plain(id, typ string) record { return record{{s: id}, {s: typ}} }

func main() {
	r := rand.New(rand.NewPCG(2026, 4211))
	pick := func(xs ...string) string { return xs[r.IntN(len(xs))] }
	digits := func(n int) string {
		b := make([]byte, n)
		for i := range b {
			b[i] = byte('0' + r.IntN(10))
		}
		if b[0] == '0' {
			b[0] = '1'
		}
		return string(b)
	}

	var rows []record
	seen := map[string]bool{}
	add := func(rec record) {
		key := rec[0].s
		if seen[key] {
			return // random IDs must not collide; duplicates are added on purpose below
		}
		seen[key] = true
		rows = append(rows, rec)
	}

	// tntIds, about 10% with a location hint naming an edge cluster.
	for len(rows) < nTnt {
		id := digits(15) + "-" + digits(6)
		if r.IntN(10) == 0 {
			id += "." + pick("17", "21", "28", "31", "32", "34", "35", "38") + "_0"
		}
		add(plain(id, pick("tntId", "tntId", "tntId", "tntid", "mboxPC", "MBOXPC", "PCID", "mboxpc")))
	}
	// ECIDs: 38 digits.
	for len(rows) < nTnt+nECID {
		add(plain(digits(38), pick("marketingCloudVisitorId", "marketingCloudVisitorId",
			"ECID", "ecid", "MCID", "MarketingCloudVisitorID")))
	}
	// thirdPartyIds: CRM numbers, uuids, e-mail addresses, member numbers.
	first := []string{"jane", "john", "marie", "lukas", "ana", "kenji", "olivia", "pierre", "sofia", "noah"}
	last := []string{"doe", "martin", "smith", "muller", "silva", "tanaka", "dubois", "rossi", "kowalski", "lee"}
	domains := []string{"example.com", "example.org", "exemple.fr", "beispiel.de", "mail.example.net"}
	for len(rows) < nTnt+nECID+nThird {
		var id string
		switch k := r.IntN(20); {
		case k < 8:
			id = fmt.Sprintf("CRM-%07d", r.IntN(10000000))
		case k < 13:
			id = fmt.Sprintf("%08x-%04x-4%03x-%04x-%012x", r.Uint32(), r.IntN(1<<16), r.IntN(1<<12),
				0x8000|r.IntN(1<<14), r.Uint64()&(1<<48-1))
		case k < 18:
			id = fmt.Sprintf("%s.%s%d@%s", pick(first...), pick(last...), r.IntN(100), pick(domains...))
		default:
			id = fmt.Sprintf("M%d-%06d", 2015+r.IntN(12), r.IntN(1000000))
		}
		add(plain(id, pick("thirdPartyId", "thirdPartyId", "thirdPartyId", "mbox3rdPartyId",
			"THIRDPARTYID", "third_party_id")))
	}

	// The documented examples, IDs needing escaping in a URL path, and a few fields
	// quoted although they need not be, or because they must be.
	for _, rec := range []record{
		plain("111492025094307-353046", "tntId"),
		plain("111492025094307-353046.28_0", "mboxPC"),
		plain("a1-mbox3rdPartyId", "thirdPartyId"),
		plain("a/b", "thirdPartyId"),
		plain("ORD?2026#17", "thirdPartyId"),
		plain("100%", "thirdPartyId"),
		plain("50%off#promo", "mbox3rdPartyId"),
		plain("jane doe", "thirdPartyId"),
		plain("john+promo@example.com", "thirdPartyId"),
		plain("josé@exemple.fr", "thirdPartyId"),
		plain("zoë.ødegaard@eksempel.no", "thirdPartyId"),
		plain("李雷@例子.中国", "thirdPartyId"),
		plain("..", "thirdPartyId"),
		plain("member/42/gold", "thirdPartyId"),
		plain("o'brien@example.ie", "thirdPartyId"),
		plain("a&client=evil", "thirdPartyId"),
		plain("CRM-0004211", " thirdPartyId "),
		{{s: "smith, jane@example.com"}, {s: "thirdPartyId"}},
		{{s: `say "hi"`}, {s: "thirdPartyId"}},
		{{s: "111492025094307-353047", quoted: true}, {s: "tntId", quoted: true}},
		{{s: "46865413728298628301234567890123456789", quoted: true}, {s: "ECID"}},
	} {
		add(rec)
	}

	// Broken rows: each must end up in the rejects as invalid_row.
	rows = append(rows,
		plain("", "tntId"),                                             // empty id
		plain("   ", "ECID"),                                           // blank id
		plain("jane@example.com", "email"),                             // unknown type
		plain("CRM-0009999", ""),                                       // empty type
		record{{s: "111492025094307-999999"}},                          // too few fields
		plain("CRM-"+strings.Repeat("0123456789", 13), "thirdPartyId"), // 134 characters
	)

	// Duplicates of earlier rows, for --dedupe.
	for _, i := range []int{7, nTnt + 3, nTnt + nECID + 5} {
		rows = append(rows, rows[i])
	}

	r.Shuffle(len(rows), func(i, j int) { rows[i], rows[j] = rows[j], rows[i] })

	w := bufio.NewWriter(os.Stdout)
	w.WriteString("id,type\n")
	for _, rec := range rows {
		for i, f := range rec {
			if i > 0 {
				w.WriteByte(',')
			}
			if f.quoted || strings.ContainsAny(f.s, ",\"\r\n") {
				w.WriteString(`"` + strings.ReplaceAll(f.s, `"`, `""`) + `"`)
			} else {
				w.WriteString(f.s)
			}
		}
		w.WriteByte('\n')
	}
	if err := w.Flush(); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}
