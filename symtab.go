package kabi

import (
	"bytes"
	"debug/elf"
	"fmt"

	"github.com/kabi-dev/kabi/dwarfx"
)

// The symbol table is read here rather than with debug/elf's Symbols,
// which turns a name offset outside the string table into an empty name
// and checks nothing else: a damaged .symtab then gave functions without
// names, with sizes near 2^63, and symbols that moved functions from one
// inline kind to another, all without a word. Every entry is checked
// instead, and damage is an error that names the file, the entry and what
// is wrong with it.

// A symtabEntry is one entry of .symtab, its name resolved.
type symtabEntry struct {
	Name        string
	Info        byte
	Section     elf.SectionIndex
	Value, Size uint64
}

// symtabError is the error for a damaged symbol table: the first bad
// entry, and how many there are in all.
func symtabError(file string, off uint64, msg string, more int) error {
	if more > 0 {
		msg += fmt.Sprintf(" (and %d more damaged symbols)", more)
	}
	return &dwarfx.FormatError{File: file, Section: ".symtab", Offset: off, Err: ErrBadSymbols, Msg: msg}
}

// readSymtab reads and checks the symbol table of ef: every name lies in
// the string table; every function symbol has a name, and lies within the
// section it names (for a relocatable object, within the section's size).
// The null entry 0 is left out, as debug/elf does.
func readSymtab(ef *elf.File, name string, budget *dwarfx.Budget) ([]symtabEntry, error) {
	var symtab *elf.Section
	for _, s := range ef.Sections {
		if s.Type == elf.SHT_SYMTAB {
			symtab = s
			break
		}
	}
	if symtab == nil {
		return nil, fmt.Errorf("%s: %w (the inline kinds need .symtab; was the file stripped?)", name, ErrNoSymbols)
	}
	if int(symtab.Link) == 0 || int(symtab.Link) >= len(ef.Sections) {
		return nil, symtabError(name, 0, fmt.Sprintf("its string table is section %d, of %d sections", symtab.Link, len(ef.Sections)), 0)
	}
	strtab := ef.Sections[symtab.Link]
	// Both are read into reused buffers: the entries copy their names.
	var puts []func()
	defer func() {
		for _, put := range puts {
			put()
		}
	}()
	read := func(s *elf.Section) ([]byte, error) {
		if s.Type == elf.SHT_NOBITS {
			return nil, symtabError(name, 0, s.Name+" has no data in the file (SHT_NOBITS)", 0)
		}
		if err := budget.TakeSection(s); err != nil {
			return nil, fmt.Errorf("%s: reading %s: %w", name, s.Name, err)
		}
		b, put, err := readScratch(s)
		if err != nil {
			return nil, fmt.Errorf("%s: reading %s: %w: %v", name, s.Name, ErrTruncated, err)
		}
		puts = append(puts, put)
		return b, nil
	}
	data, err := read(symtab)
	if err != nil {
		return nil, err
	}
	strs, err := read(strtab)
	if err != nil {
		return nil, err
	}
	entSize := 24
	if ef.Class == elf.ELFCLASS32 {
		entSize = 16
	}
	if len(data)%entSize != 0 {
		return nil, symtabError(name, uint64(len(data)), fmt.Sprintf("its size %d is not a multiple of the entry size %d", len(data), entSize), 0)
	}
	bo := ef.ByteOrder
	n := len(data) / entSize
	out := make([]symtabEntry, 0, max(n-1, 0))
	var (
		firstOff uint64
		firstMsg string
		bad      int
	)
	for i := 1; i < n; i++ {
		e := data[i*entSize:][:entSize]
		var nameOff uint32
		var s symtabEntry
		if entSize == 16 {
			nameOff = bo.Uint32(e)
			s.Value, s.Size = uint64(bo.Uint32(e[4:])), uint64(bo.Uint32(e[8:]))
			s.Info, s.Section = e[12], elf.SectionIndex(bo.Uint16(e[14:]))
		} else {
			nameOff = bo.Uint32(e)
			s.Info, s.Section = e[4], elf.SectionIndex(bo.Uint16(e[6:]))
			s.Value, s.Size = bo.Uint64(e[8:]), bo.Uint64(e[16:])
		}
		msg := ""
		if int(nameOff) >= len(strs) {
			msg = fmt.Sprintf("name offset %#x is past the end of %s (%d bytes)", nameOff, strtab.Name, len(strs))
		} else if end := bytes.IndexByte(strs[nameOff:], 0); end < 0 {
			msg = fmt.Sprintf("name at %#x of %s does not end", nameOff, strtab.Name)
		} else {
			s.Name = string(strs[nameOff : int(nameOff)+end])
			if elf.ST_TYPE(s.Info) == elf.STT_FUNC {
				msg = checkFuncSymbol(ef, &s)
			}
		}
		if msg != "" {
			if bad == 0 {
				firstOff, firstMsg = uint64(i*entSize), fmt.Sprintf("symbol %d: %s", i, msg)
			}
			bad++
			continue
		}
		out = append(out, s)
	}
	if bad > 0 {
		return nil, symtabError(name, firstOff, firstMsg, bad-1)
	}
	return out, nil
}

// checkFuncSymbol says what is wrong with a function symbol, or "".
func checkFuncSymbol(ef *elf.File, s *symtabEntry) string {
	if s.Name == "" {
		return "a function symbol without a name"
	}
	if s.Size > ^uint64(0)-s.Value {
		return fmt.Sprintf("function %s: address %#x and size %#x overflow", s.Name, s.Value, s.Size)
	}
	if s.Section == elf.SHN_UNDEF || s.Section >= elf.SHN_LORESERVE {
		return ""
	}
	if int(s.Section) >= len(ef.Sections) {
		return fmt.Sprintf("function %s is in section %d, of %d sections", s.Name, s.Section, len(ef.Sections))
	}
	sec := ef.Sections[s.Section]
	lo := sec.Addr
	if ef.Type == elf.ET_REL {
		lo = 0 // st_value is an offset into the section
	}
	if s.Value < lo || s.Value-lo > sec.Size || s.Size > sec.Size-(s.Value-lo) {
		return fmt.Sprintf("function %s at %#x, size %#x, is outside its section %s [%#x, %#x)", s.Name, s.Value, s.Size, sec.Name, lo, lo+sec.Size)
	}
	return ""
}
