// Package jsonvalid checks that a byte slice is one JSON value in valid UTF-8, in a
// single pass and several times faster than encoding/json.Valid followed by
// utf8.Valid, which the export otherwise ran on every answer twice (once to judge
// it, once before writing it).
//
// Valid accepts exactly what json.Valid(b) && utf8.Valid(b) accepts, nesting limit
// included (FuzzValid checks this against encoding/json).
package jsonvalid

import "unicode/utf8"

// MaxDepth is the deepest nesting accepted, encoding/json's limit.
const MaxDepth = 10000

// plain marks the bytes that stand for themselves inside a JSON string: printable
// ASCII other than the quote and the backslash. Control characters must be
// escaped; bytes from 0x80 start UTF-8 sequences, checked one by one.
var plain = func() (t [256]bool) {
	for c := 0x20; c < 0x80; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

// Valid reports whether b is exactly one JSON value (RFC 8259, with optional
// surrounding white space) and valid UTF-8.
func Valid(b []byte) bool {
	var objects [MaxDepth/64 + 1]uint64 // bit d: the container at depth d+1 is an object
	depth := 0
	i := skipSpace(b, 0)
	for {
		// A value starts at i.
		if i >= len(b) {
			return false
		}
		ok := true
		switch c := b[i]; c {
		case '{', '[':
			if depth == MaxDepth {
				return false
			}
			if c == '{' {
				objects[depth/64] |= 1 << (depth % 64)
			} else {
				objects[depth/64] &^= 1 << (depth % 64)
			}
			depth++
			i = skipSpace(b, i+1)
			if i < len(b) && b[i] == c+2 { // '{'+2 is '}', '['+2 is ']'
				i++
				depth--
				break
			}
			if c == '{' {
				if i, ok = member(b, i); !ok {
					return false
				}
			}
			continue // the first value of the container
		case '"':
			i, ok = str(b, i)
		case 't':
			i, ok = literal(b, i, "true")
		case 'f':
			i, ok = literal(b, i, "false")
		case 'n':
			i, ok = literal(b, i, "null")
		default:
			i, ok = number(b, i)
		}
		if !ok {
			return false
		}
		// After a value: close containers, or go on to the next value.
		for {
			i = skipSpace(b, i)
			if depth == 0 {
				return i == len(b)
			}
			if i >= len(b) {
				return false
			}
			inObject := objects[(depth-1)/64]&(1<<((depth-1)%64)) != 0
			if c := b[i]; c == ',' {
				i = skipSpace(b, i+1)
				if inObject {
					if i, ok = member(b, i); !ok {
						return false
					}
				}
				break
			} else if (inObject && c == '}') || (!inObject && c == ']') {
				i++
				depth--
				continue
			}
			return false
		}
	}
}

// member reads `"key" :` and the space after it; i is at the key's quote.
func member(b []byte, i int) (int, bool) {
	if i >= len(b) || b[i] != '"' {
		return i, false
	}
	i, ok := str(b, i)
	if !ok {
		return i, false
	}
	i = skipSpace(b, i)
	if i >= len(b) || b[i] != ':' {
		return i, false
	}
	return skipSpace(b, i+1), true
}

func skipSpace(b []byte, i int) int {
	for i < len(b) {
		switch b[i] {
		case ' ', '\t', '\n', '\r':
			i++
		default:
			return i
		}
	}
	return i
}

// str reads a string whose opening quote is at i and returns the index after its
// closing quote.
func str(b []byte, i int) (int, bool) {
	i++
	for {
		for i < len(b) && plain[b[i]] {
			i++
		}
		if i >= len(b) {
			return i, false
		}
		switch c := b[i]; {
		case c == '"':
			return i + 1, true
		case c == '\\':
			if i+1 >= len(b) {
				return i, false
			}
			switch b[i+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				i += 2
			case 'u':
				if i+6 > len(b) || !isHex(b[i+2]) || !isHex(b[i+3]) || !isHex(b[i+4]) || !isHex(b[i+5]) {
					return i, false
				}
				i += 6
			default:
				return i, false
			}
		case c < 0x20:
			return i, false
		default: // a UTF-8 sequence
			r, size := utf8.DecodeRune(b[i:])
			if r == utf8.RuneError && size == 1 {
				return i, false
			}
			i += size
		}
	}
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func literal(b []byte, i int, word string) (int, bool) {
	if len(b)-i < len(word) || string(b[i:i+len(word)]) != word {
		return i, false
	}
	return i + len(word), true
}

// number reads -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? from i.
func number(b []byte, i int) (int, bool) {
	if i < len(b) && b[i] == '-' {
		i++
	}
	switch {
	case i < len(b) && b[i] == '0':
		i++
	case i < len(b) && '1' <= b[i] && b[i] <= '9':
		i = digits(b, i+1)
	default:
		return i, false
	}
	if i < len(b) && b[i] == '.' {
		j := digits(b, i+1)
		if j == i+1 {
			return j, false
		}
		i = j
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		j := digits(b, i)
		if j == i {
			return j, false
		}
		i = j
	}
	return i, true
}

func digits(b []byte, i int) int {
	for i < len(b) && '0' <= b[i] && b[i] <= '9' {
		i++
	}
	return i
}
