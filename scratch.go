package kabi

import (
	"debug/elf"
	"io"

	"github.com/kabi-dev/kabi/internal/freelist"
)

// scratchBufs are the buffers sections read for a moment are read into:
// .symtab and .strtab, whose entries readSymtab copies, a module's .BTF,
// of which only the names of its functions are kept, and its .modinfo. debug/elf's
// Section.Data reads each into memory of its own, which a whole kernel's
// read (thousands of modules) then allocates, faults in and collects over
// and over.
var scratchBufs = freelist.List[[]byte]{Max: 4}

// maxScratch is the largest buffer kept for reuse.
const maxScratch = 4 << 20

// readScratch returns the contents of s, as s.Data does, and a function
// that gives back the buffer holding them, after which they must no
// longer be used. A section stored uncompressed is read into a reused
// buffer; a compressed one is decompressed by s.Data into one of its own,
// and an empty one needs none.
func readScratch(s *elf.Section) ([]byte, func(), error) {
	if s.Flags&elf.SHF_COMPRESSED != 0 || s.Type == elf.SHT_NOBITS || s.Size == 0 || s.Size > maxScratch {
		b, err := s.Data()
		return b, func() {}, err
	}
	b, _ := scratchBufs.Get()
	if uint64(cap(b)) < s.Size {
		b = make([]byte, s.Size)
	}
	b = b[:s.Size]
	put := func() { scratchBufs.Put(b[:0]) }
	n, err := s.ReadAt(b, 0)
	if n == len(b) {
		return b, put, nil
	}
	// The errors of s.Data, which reads with io.ReadFull.
	if err == nil || err == io.EOF {
		err = io.ErrUnexpectedEOF
		if n == 0 {
			err = io.EOF
		}
	}
	put()
	return nil, func() {}, err
}
