package reader

import "bufio"

// source yields the bytes of the input with every line end (CRLF, LF or a lone CR)
// turned into a single '\n'. Bytes pushed back by a recovery (pending) come first;
// they are already normalised.
type source struct {
	br      *bufio.Reader
	pending []byte
	err     error // sticky error from br, io.EOF included
}

// next returns the next byte, or the input's error (io.EOF at the end).
func (s *source) next() (byte, error) {
	if len(s.pending) > 0 {
		b := s.pending[0]
		s.pending = s.pending[1:]
		return b, nil
	}
	if s.err != nil {
		return 0, s.err
	}
	b, err := s.br.ReadByte()
	if err != nil {
		s.err = err
		return 0, err
	}
	if b == '\r' {
		c, err := s.br.ReadByte()
		switch {
		case err != nil:
			s.err = err // reported by the next call
		case c != '\n':
			_ = s.br.UnreadByte() // cannot fail right after a successful ReadByte
		}
		return '\n', nil
	}
	return b, nil
}

// pushBack makes the next calls return b (normalised bytes) before anything else.
func (s *source) pushBack(b []byte) {
	p := make([]byte, 0, len(b)+len(s.pending))
	p = append(p, b...)
	s.pending = append(p, s.pending...)
}
