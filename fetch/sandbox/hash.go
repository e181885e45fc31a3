package sandbox

import (
	"unicode/utf8"

	"github.com/profile-export/profile-export/row"
)

// Salts separate the independent decisions drawn from one ID hash.
const (
	saltFound = 0x6a09e667f3bcc908
	saltFault = 0xbb67ae8584caa73b
	saltReset = 0x3c6ef372fe94f82b
)

// mix is the splitmix64 finalizer: a fast, well-spread 64-bit permutation.
func mix(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	x ^= x >> 31
	return x
}

// idHash is the stable identity of (seed, type, id): FNV-1a over type and ID,
// separated by a byte no type contains, keyed and finished by mix. It must never
// change, or every sandbox run would see other profiles.
func idHash(seed uint64, t row.Type, id string) uint64 {
	const prime = 1099511628211
	h := uint64(14695981039346656037) ^ mix(seed)
	for i := 0; i < len(t); i++ {
		h ^= uint64(t[i])
		h *= prime
	}
	h ^= 0xff
	h *= prime
	for i := 0; i < len(id); i++ {
		h ^= uint64(id[i])
		h *= prime
	}
	return mix(h)
}

// unit maps x to [0,1).
func unit(x uint64) float64 { return float64(x>>11) / (1 << 53) }

// rng is a splitmix64 stream: deterministic, allocation-free, not for concurrent use.
type rng struct{ s uint64 }

func (r *rng) next() uint64 {
	r.s += 0x9e3779b97f4a7c15
	return mix(r.s)
}

// intn returns a number in [0,n); the modulo bias is negligible for small n.
func (r *rng) intn(n int) int { return int(r.next() % uint64(n)) }

const hexDigits = "0123456789abcdef"

// appendJSONString appends s as a JSON string literal.
func appendJSONString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	dst = appendJSONChars(dst, s)
	return append(dst, '"')
}

// appendJSONChars appends s escaped for the inside of a JSON string literal. Invalid
// UTF-8 becomes U+FFFD, as encoding/json does, so answers are always valid JSON.
func appendJSONChars(dst []byte, s string) []byte {
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch c {
			case '"', '\\':
				dst = append(dst, '\\', c)
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
			i++
			start = i
			continue
		}
		i += size
	}
	return append(dst, s[start:]...)
}
