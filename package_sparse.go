package kabi

import (
	"cmp"
	"debug/elf"
	"errors"
	"fmt"
	"io"
	"math"
	"sync"

	"github.com/kabi-dev/kabi/dwarfx"
	"github.com/kabi-dev/kabi/internal/deb"
	"github.com/kabi-dev/kabi/internal/elfhdr"
	"github.com/kabi-dev/kabi/internal/xz"
)

// newPackageSparse reads the vmlinux of package p as newPackage does, but
// decodes only what the analysis reads. Its data.tar.xz is read at
// offsets (its index says where each block's data lies): the archive's
// headers up to the vmlinux, then the vmlinux's ELF header and section
// table, then the blocks that hold the sections the analysis reads. The
// relocation sections a distribution's vmlinux keeps for its debug
// sections (--emit-relocs: half of Debian's amd64 vmlinux) are not
// decoded, nor is anything after the vmlinux. It returns deb.ErrNotRandom
// for a package whose data member cannot be read so (newPackage streams
// it then).
func newPackageSparse(r io.ReaderAt, p *deb.Package, name string, budget *dwarfx.Budget, opts *Options) (*Build, error) {
	f, err := p.FindRandom(isVmlinux, nil, holdLimit(budget, math.MaxInt64))
	if errors.Is(err, deb.ErrNotRandom) {
		return nil, err
	}
	if errors.Is(err, deb.ErrNotFound) {
		return nil, noKernel(p, name)
	}
	if err != nil {
		return nil, packageErr(err)
	}
	data, release, err := sparseVmlinux(p, f, name, budget, opts)
	if err != nil {
		return nil, err
	}
	defer release()
	b, err := newELF(newHeldReader(data), name+": "+f.Name, opts)
	if err != nil {
		return nil, err
	}
	packageBuild(b, p, r, name)
	return b, nil
}

// sparseVmlinux holds the vmlinux f of package p in memory outside the Go
// heap, with the parts the analysis reads decoded (see elfRanges); the
// rest of it is zeros. release frees it.
func sparseVmlinux(p *deb.Package, f *deb.RandomFile, name string, budget *dwarfx.Budget, opts *Options) (data []byte, release func(), err error) {
	if limit := holdLimit(budget, maxVmlinux); f.Size > limit {
		return nil, nil, packageErr(&deb.Error{File: name, Member: p.DataMember() + ": " + f.Name, Err: deb.ErrTooLarge,
			Msg: fmt.Sprintf("the archive says it has %d bytes, more than the limit of %d", f.Size, limit)})
	}
	if err := budget.Take(p.DataMember()+": "+f.Name, uint64(f.Size)); err != nil {
		return nil, nil, err
	}
	data, release, err = deb.Alloc(int(f.Size))
	if err != nil {
		return nil, nil, packageErr(&deb.Error{File: name, Member: p.DataMember() + ": " + f.Name, Err: deb.ErrTooLarge,
			Msg: fmt.Sprintf("cannot allocate %d bytes: %v", f.Size, err)})
	}
	var done <-chan struct{}
	if opts.ctx != nil {
		done = opts.ctx.Done()
	}
	populate := func(rs []xz.Range) {
		for _, r := range rs {
			const page = 4096
			lo, hi := r.Off&^(page-1), min((r.Off+r.Len+page-1)&^(page-1), f.Size)
			deb.Populate(data[lo:hi])
		}
	}
	// The section table is at the file's end, in a block of its own to
	// decode; meanwhile one goroutine decodes the blocks that lie wholly
	// in the loaded segments, which the analysis reads whatever the
	// sections say.
	var early []xz.Range
	earlyErr := make(chan error, 1)
	quit := make(chan struct{}) // stops the early decoding: closed when done is, or the read fails
	var once sync.Once
	stopEarly := func() { once.Do(func() { close(quit) }) }
	defer stopEarly()
	ranges, err := elfRanges(f, data, func(segments []xz.Range) {
		for _, s := range segments {
			if r := f.Inner(s.Off, s.Len); r.Len > 0 {
				early = append(early, r)
			}
		}
		early = xz.Merge(early)
		if len(early) > 0 {
			populate(early)
			go func() {
				select {
				case <-done:
					stopEarly()
				case <-quit:
				}
			}()
			go func() { earlyErr <- f.Fill(data, early, 1, quit) }()
		}
	})
	if err == nil {
		rest := cutRanges(ranges, early)
		populate(rest)
		err = f.Fill(data, rest, opts.Concurrency, done)
	}
	if len(early) > 0 {
		if err != nil {
			stopEarly() // its bytes will not be used
		}
		err = cmp.Or(err, <-earlyErr)
	}
	if err != nil {
		release()
		if cerr := opts.ctxErr(); cerr != nil {
			return nil, nil, cerr
		}
		return nil, nil, packageErr(err)
	}
	return data, release, nil
}

// cutRanges returns the parts of rs outside every range of cut, in
// offset order, in one pass over both merged (a hostile file's tables may
// list many thousands of each).
func cutRanges(rs, cut []xz.Range) []xz.Range {
	rs, cut = xz.Merge(rs), xz.Merge(cut)
	var out []xz.Range
	j := 0
	for _, r := range rs {
		off, end := r.Off, r.Off+r.Len
		for j < len(cut) && cut[j].Off+cut[j].Len <= off {
			j++
		}
		for k := j; k < len(cut) && cut[k].Off < end; k++ {
			if cut[k].Off > off {
				out = append(out, xz.Range{Off: off, Len: cut[k].Off - off})
			}
			off = max(off, cut[k].Off+cut[k].Len)
		}
		if off < end {
			out = append(out, xz.Range{Off: off, Len: end - off})
		}
	}
	return out
}

// elfRanges returns the parts of the ELF file f (of f.Size bytes) that
// reading it as a build reads: its headers and every section with
// contents, but for the relocation sections of a linked file that are
// not loaded (the analysis applies relocations to relocatable objects
// only). It reads the ELF header and the section header table into data
// (which holds the file, at its offsets) to find them. Where the headers
// do not describe a well-formed table, the whole file is the one range:
// the analysis then says what is wrong with it.
//
// segments, when not nil, is called with the file's loaded segments once
// the program header table is read, before the section table is.
func elfRanges(f *deb.RandomFile, data []byte, segments func([]xz.Range)) ([]xz.Range, error) {
	size := f.Size
	whole := []xz.Range{{Off: 0, Len: size}}
	read := func(off, n int64) ([]byte, bool, error) {
		if off < 0 || n < 0 || off > size-n {
			return nil, false, nil
		}
		b := data[off : off+n]
		if _, err := f.ReadAt(b, off); err != nil && err != io.EOF {
			return nil, false, err
		}
		return b, true, nil
	}
	head, ok, err := read(0, min(64, size))
	if err != nil || !ok {
		return whole, err
	}
	h, ok := elfhdr.Parse(head)
	if !ok || h.Phoff > math.MaxInt64 || h.Shoff > math.MaxInt64 {
		return whole, nil
	}
	bo, is64, hdrLen, typ := h.ByteOrder, h.Class == elf.ELFCLASS64, int64(h.Size), h.Type
	phoff, shoff := int64(h.Phoff), int64(h.Shoff)
	phentsize, phnum, shentsize, shnum := int64(h.Phentsize), int64(h.Phnum), int64(h.Shentsize), int64(h.Shnum)
	minSh, minPh := int64(40), int64(32)
	if is64 {
		minSh, minPh = 64, 56
	}
	if typ == elf.ET_REL || shoff == 0 || shnum == 0 || shentsize < minSh || shentsize > 256 || phnum > 0 && (phentsize < minPh || phentsize > 256) {
		return whole, nil // relocatable, or extended numbering, or odd: read it all
	}
	if shoff < 0 || shoff > size-shnum*shentsize {
		return whole, nil
	}
	out := []xz.Range{{Off: 0, Len: hdrLen}, {Off: shoff, Len: shnum * shentsize}}
	if phnum > 0 {
		if phoff < 0 || phoff > size-phnum*phentsize {
			return whole, nil
		}
		out = append(out, xz.Range{Off: phoff, Len: phnum * phentsize})
		ph, _, err := read(phoff, phnum*phentsize)
		if err != nil {
			return whole, err
		}
		// The segments' contents too (their sections are in them; a
		// reader by address may read between sections).
		var loaded []xz.Range
		for i := range phnum {
			e := ph[i*phentsize:]
			var off, filesz int64
			if is64 {
				off, filesz = int64(bo.Uint64(e[8:])), int64(bo.Uint64(e[32:]))
			} else {
				off, filesz = int64(bo.Uint32(e[4:])), int64(bo.Uint32(e[16:]))
			}
			if off < 0 || filesz < 0 || off > size-filesz {
				return whole, nil
			}
			out = append(out, xz.Range{Off: off, Len: filesz})
			if elf.ProgType(bo.Uint32(e)) == elf.PT_LOAD {
				loaded = append(loaded, xz.Range{Off: off, Len: filesz})
			}
		}
		if segments != nil && len(loaded) > 0 {
			segments(loaded)
		}
	}
	// Into a buffer of its own: the blocks of the loaded segments may be
	// being decoded into data meanwhile, and a hostile table may lie in
	// one of them.
	sh := make([]byte, shnum*shentsize)
	if _, err := f.ReadAt(sh, shoff); err != nil && err != io.EOF {
		return whole, err
	}
	for i := range shnum {
		e := sh[i*shentsize:]
		st := elf.SectionType(bo.Uint32(e[4:]))
		var flags uint64
		var off, n int64
		if is64 {
			flags, off, n = bo.Uint64(e[8:]), int64(bo.Uint64(e[24:])), int64(bo.Uint64(e[32:]))
		} else {
			flags, off, n = uint64(bo.Uint32(e[8:])), int64(bo.Uint32(e[16:])), int64(bo.Uint32(e[20:]))
		}
		if st == elf.SHT_NOBITS || st == elf.SHT_NULL {
			continue
		}
		if (st == elf.SHT_RELA || st == elf.SHT_REL) && elf.SectionFlag(flags)&elf.SHF_ALLOC == 0 {
			continue // relocations of a linked file's sections: not read
		}
		if off < 0 || n < 0 || off > size-n {
			return whole, nil
		}
		out = append(out, xz.Range{Off: off, Len: n})
	}
	return out, nil
}
