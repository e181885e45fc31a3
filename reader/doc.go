// Package reader turns an input file of visitor IDs into a stream of row.Row values.
//
// # Opening
//
// Open opens a file ("-" for standard input). A gzip file is recognised by its magic
// bytes, whatever its name, and decompressed on the fly; zip, zstd and xz files are
// recognised and refused with an explanation. The Input reports its on-disk size and how
// many of those bytes were consumed so far, for a progress estimate.
//
// # CSV input
//
// The first non-blank line is a header naming the columns. Names are matched
// case-insensitively, ignoring surrounding spaces and a UTF-8 byte-order mark. The ID
// column (Config.IDColumn, "id" by default) is required; the type column
// (Config.TypeColumn, "type" by default) is required unless Config.Type gives the type of
// every row, in which case a type column, if present, is ignored. Other columns are
// ignored. Problems with the file as a whole (empty file, missing or duplicated column,
// a header that seems to use another delimiter, UTF-16 text) are reported by New as a
// *HeaderError before any row is read. A file with a header and no rows is fine.
//
// Fields follow RFC 4180: a field may be quoted with '"', a quote inside a quoted field
// is doubled, and a quoted field may hold delimiters and line ends. Spaces before an
// opening quote and after a closing quote are allowed.
//
// # Line numbers
//
// Row.Line is the line number a text editor shows: the header is on line 1 (or later, if
// blank lines precede it), and CRLF, LF and a lone CR (old Mac files) each end one line.
// A row whose quoted field holds line ends spans several lines and carries the line it
// starts on. Blank lines (empty, or only spaces and tabs) are skipped and are not rows; a
// line of empty fields such as ",," is a row (with an empty ID, so invalid). Lines of the
// rows returned strictly increase.
//
// # Invalid rows
//
// A problem with one row never stops the reading: the row is returned with Row.Invalid
// saying what is wrong, and with whatever ID and type could be read, so that the reject
// is useful (Row.RawType, like the ID, is trimmed of surrounding white space; the ID of
// an invalid row is cut to its first 1 KiB). A row is invalid when
//   - it has too few fields to hold the ID (and type) column;
//   - any of its fields is longer than Config.MaxFieldBytes (such a field is never held
//     in memory whole);
//   - it is malformed CSV: a '"' inside an unquoted field, text after a closing quote, or
//     a quoted field that is never closed;
//   - it holds a NUL byte;
//   - its type is not one row.ParseType knows (aliases such as mboxPC, ECID, MCID and
//     mbox3rdPartyId are accepted);
//   - its ID, trimmed of surrounding white space (strings.TrimSpace), is empty, is not
//     valid UTF-8, holds a control character, or is longer than 128 characters (the
//     documented API limit, counted in Unicode characters, not bytes);
//   - it is an ECID (marketingCloudVisitorId) holding anything but the digits 0-9. An
//     ECID is typically 38 digits, but any all-digit ECID of 1 to 128 digits is passed
//     on: the API, not this reader, decides whether it exists.
//
// A tntId may hold several dots; it is kept as written (Target reads the part after the
// last dot as a location hint).
//
// Recovery from malformed quoting: when a quoted field does not close properly on the
// line it starts on, the row is rejected with the fields of its first line split naively
// on the delimiter, and reading resumes on the line after it, as if the stray quote had
// not been there. A quoted field that legitimately spans lines is accepted as long as
// the row stays within Config.MaxFieldBytes past its first line; beyond that it is
// treated as a stray quote in the same way. Memory therefore stays bounded by a few
// times MaxFieldBytes, whatever the input.
//
// # Rejects file as input
//
// When the input (after decompression, a byte-order mark and leading white space)
// starts with '{', it is read as JSON Lines of objects with "id" and "type" string
// members: the rejects file of a previous run. Config.Reasons, when not empty, keeps
// only the objects whose "reason" is listed; the others are skipped and are not rows.
// Row.Line is the line number in that file. A line that is not such a JSON object, or
// whose "reason" is none of not_found, invalid_row, failed and duplicate, is an invalid
// row (never skipped). Config.Type, when set, overrides the objects' types; the column names
// and the delimiter do not apply.
//
// # Errors
//
// Read returns io.EOF at the end. Any other error is a failure of the input itself (an
// I/O error, a truncated or corrupt gzip stream, whose message names the compressed byte
// offset reached); it is final, and rows returned before it remain valid.
//
// A Reader holds no more than a few buffers whatever the number of rows; it is not safe
// for concurrent use.
package reader
