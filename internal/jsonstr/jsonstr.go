// Package jsonstr writes JSON string literals without reflection, byte for byte as
// encoding/json does, for the hot paths that build JSON by hand (the writers' lines,
// the sandbox's answers).
package jsonstr

import "unicode/utf8"

const hexDigits = "0123456789abcdef"

// safeASCII[b] is true for the ASCII bytes that appear unescaped inside a JSON
// string: everything but control characters, the quote and the backslash.
var safeASCII = func() (t [utf8.RuneSelf]bool) {
	for b := 0x20; b < utf8.RuneSelf; b++ {
		t[b] = b != '"' && b != '\\'
	}
	return t
}()

// Append appends s to dst as a JSON string literal, quotes included.
func Append(dst []byte, s string) []byte {
	dst = append(dst, '"')
	dst = AppendChars(dst, s)
	return append(dst, '"')
}

// AppendChars appends s to dst escaped for the inside of a JSON string literal,
// exactly as encoding/json does with HTML escaping off: the quote, the backslash
// and control characters are escaped (\b \f \n \r \t short forms, \u00XX
// otherwise), invalid UTF-8 bytes become \ufffd, and U+2028 and U+2029 are escaped
// because some JavaScript-based readers treat them as line ends.
func AppendChars(dst []byte, s string) []byte {
	start := 0
	for i := 0; i < len(s); {
		if b := s[i]; b < utf8.RuneSelf {
			if safeASCII[b] {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch b {
			case '"', '\\':
				dst = append(dst, '\\', b)
			case '\b':
				dst = append(dst, '\\', 'b')
			case '\f':
				dst = append(dst, '\\', 'f')
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hexDigits[b>>4], hexDigits[b&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hexDigits[r&0xF])
		default:
			i += size
			continue
		}
		i += size
		start = i
	}
	return append(dst, s[start:]...)
}
