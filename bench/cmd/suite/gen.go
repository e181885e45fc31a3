package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"strconv"
)

// mix is SplitMix64's finalizer: a cheap, well-spread hash of a row index, so that
// the IDs look random yet are the same on every run and every machine.
func mix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ x>>30) * 0xbf58476d1ce4e5b9
	x = (x ^ x>>27) * 0x94d049bb133111eb
	return x ^ x>>31
}

// appendDigits appends n decimal digits drawn from h (re-hashed as it runs out),
// the first one not zero.
func appendDigits(b []byte, h uint64, n int) []byte {
	for i := range n {
		if i%16 == 15 {
			h = mix(h)
		}
		d := byte(h % 10)
		h /= 10
		if i == 0 && d == 0 {
			d = 1
		}
		b = append(b, '0'+d)
	}
	return b
}

// appendRow appends CSV row i (from 0) without its newline: a visitor ID and its
// canonical type. A third of the rows are of each type, interleaved the way an
// export of mixed sources is: tntIds (15-6 digits), ECIDs (38 digits) and
// thirdPartyIds (CRM numbers and e-mail addresses, whose '@' and '+' exercise the
// path escaping). Every ID is distinct.
func appendRow(b []byte, i int) []byte {
	h := mix(uint64(i))
	switch i % 3 {
	case 0:
		b = appendDigits(b, h, 15)
		b = append(b, '-')
		b = appendDigits(b, mix(h), 6)
		return append(b, ",tntId"...)
	case 1:
		b = appendDigits(b, h, 38)
		return append(b, ",marketingCloudVisitorId"...)
	}
	if h%4 == 0 {
		b = append(b, "member."...)
		b = strconv.AppendInt(b, int64(i), 10)
		b = append(b, "+export@example.com"...)
	} else {
		b = append(b, "crm-"...)
		b = appendDigits(b, h, 10)
		b = append(b, '-')
		b = strconv.AppendInt(b, int64(i), 10) // keeps IDs distinct whatever the digits
	}
	return append(b, ",thirdPartyId"...)
}

// writeCSV writes the header and n rows to w.
func writeCSV(w io.Writer, n int) error {
	bw := bufio.NewWriterSize(w, 1<<16)
	if _, err := bw.WriteString("id,type\n"); err != nil {
		return err
	}
	var line []byte
	for i := range n {
		line = appendRow(line[:0], i)
		line = append(line, '\n')
		if _, err := bw.Write(line); err != nil {
			return err
		}
	}
	return bw.Flush()
}

// genFile writes an n-row input to path, unless a file of that name exists already
// (inputs are named by their row count and are the same on every run).
func genFile(path string, n int) error {
	if _, err := os.Stat(path); err == nil {
		return nil
	}
	tmp := path + ".tmp"
	f, err := os.Create(tmp)
	if err != nil {
		return fmt.Errorf("generating input: %w", err)
	}
	if err := writeCSV(f, n); err != nil {
		f.Close()
		return fmt.Errorf("generating input %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("generating input %s: %w", path, err)
	}
	return os.Rename(tmp, path)
}
