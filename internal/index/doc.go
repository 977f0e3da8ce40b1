// Package index is the codec of kabi's index files: the fixed header, the
// section directory, the checksum, per-section zstd compression and the
// varint encoder and decoder that the kabi package writes a Build with.
// What the sections hold is the kabi package's business; this package
// only knows their kinds, for names in errors.
//
// # Layout
//
// All fixed-width fields are little endian.
//
//	offset  size  field
//	0       8     magic "\x89KABI\r\n\x1a"
//	8       4     format version
//	12      4     CRC-32C (Castagnoli) of the header and the directory,
//	              read with this field as zero
//	16      8     length of the whole file
//	24      4     length D of the directory
//	28      D     the directory (varints)
//	28+D          the sections, back to back in directory order, to the end of the file
//
// The directory holds the source file's name, size, modification time
// (Unix nanoseconds) and GNU build ID, then the number of sections and,
// for each, its kind, its codec (0 stored, 1 zstd), the CRC-32C of its
// stored bytes (4 bytes), its stored length and its length once
// decompressed. A zstd section is one frame whose header gives the
// decompressed length.
//
// Opening a file reads only its header and directory; each section is
// read, and verified against its own checksum, when it is asked for, so
// a question about one name costs a few small reads however large the
// file, and a damaged section is reported when it is read.
//
// # Security
//
// Input is untrusted. [Read] checks the magic, refuses versions other
// than [Version], checks the file's length against the header, verifies
// the checksum of the header and the directory and then every directory
// entry. [File.Section] verifies the section's checksum before decoding.
// A section's decompressed length is bounded by its stored length
// ([MaxRatio]) and the zstd decoder may not write past it. [Dec] bounds
// every count by the bytes left. Every error for bad input is a
// *[FormatError] naming the file and the section, wrapping
// [ErrNotIndex], [ErrVersion], [ErrTruncated] or [ErrCorrupt].
//
// # Concurrency
//
// A [File] is immutable after [Read] and [File.Section] may be called from
// several goroutines (its reader's ReadAt must allow it, as *os.File's
// does). A [Dec] or an [Enc] belongs to one goroutine.
package index
