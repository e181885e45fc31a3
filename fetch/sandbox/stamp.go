package sandbox

// Time stamps are formatted by hand: time.Time.AppendFormat took most of the time
// of making up a profile, and the sandbox is the far end of the benchmarks.

// stampLayout selects one of the three formats answers use.
type stampLayout uint8

const (
	stampNew  stampLayout = iota // 2026-03-14T10:22:33.123-04:00, current docs
	stampOld                     // 2026-03-14T10:22:33, older docs: no fraction, no offset
	stampDate                    // 2026-03-14
)

// offsetMillis is the -04:00 offset of Adobe's documented examples.
const offsetMillis = -4 * 3600 * 1000

// appendStamp appends the Unix-ms time ms, in the -04:00 offset, in layout.
func appendStamp(dst []byte, ms int64, layout stampLayout) []byte {
	local := ms + offsetMillis
	days := local / dayMillis
	rem := local % dayMillis
	if rem < 0 {
		days--
		rem += dayMillis
	}
	y, m, d := civil(days)
	dst = append4(dst, int(y))
	dst = append(dst, '-')
	dst = append2(dst, m)
	dst = append(dst, '-')
	dst = append2(dst, d)
	if layout == stampDate {
		return dst
	}
	secs := int(rem / 1000)
	dst = append(dst, 'T')
	dst = append2(dst, secs/3600)
	dst = append(dst, ':')
	dst = append2(dst, secs/60%60)
	dst = append(dst, ':')
	dst = append2(dst, secs%60)
	if layout == stampOld {
		return dst
	}
	frac := int(rem % 1000)
	dst = append(dst, '.', byte('0'+frac/100), byte('0'+frac/10%10), byte('0'+frac%10))
	return append(dst, "-04:00"...)
}

// civil converts days since 1970-01-01 to a proleptic Gregorian date (Howard
// Hinnant's days_from_civil inverse).
func civil(z int64) (year int64, month, day int) {
	z += 719468
	era := z
	if era < 0 {
		era -= 146096
	}
	era /= 146097
	doe := z - era*146097                                  // [0, 146096]
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365 // [0, 399]
	year = yoe + era*400
	doy := doe - (365*yoe + yoe/4 - yoe/100) // [0, 365]
	mp := (5*doy + 2) / 153                  // [0, 11], March first
	day = int(doy - (153*mp+2)/5 + 1)
	if mp < 10 {
		month = int(mp + 3)
	} else {
		month = int(mp - 9)
	}
	if month <= 2 {
		year++
	}
	return year, month, day
}

func append2(dst []byte, n int) []byte { return append(dst, byte('0'+n/10), byte('0'+n%10)) }

func append4(dst []byte, n int) []byte {
	return append(dst, byte('0'+n/1000%10), byte('0'+n/100%10), byte('0'+n/10%10), byte('0'+n%10))
}
