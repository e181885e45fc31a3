// Package writer turns fetched profiles and rejects into files, and stores those
// files atomically.
//
// An export is written as a series of parts. Each part is a complete,
// independently readable file, produced by a ProfileEncoder (JSON Lines, optionally
// gzip-compressed, or Parquet) or a RejectEncoder, written through a File of a
// Store: the file becomes visible under its name only when File.Commit succeeds,
// so a crash never leaves a half-written part behind a final name. In single-file
// mode the finished parts are then assembled by Concatenate.
//
// Encoders are not safe for concurrent use; a Store is, a File is not.
package writer
