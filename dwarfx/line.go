package dwarfx

import (
	"fmt"
	"path"
	"runtime/debug"
)

// A LineTable holds the file and directory names of one unit's line-number
// program header (DWARF 2 to 5). The line-number program itself is not
// decoded.
type LineTable struct {
	Version int
	Dirs    []string    // include directories; for versions before 5, Dirs[0] is the compilation directory
	Files   []FileEntry // file names, in header order
}

// A FileEntry is one file of a line table, with its directory resolved.
type FileEntry struct {
	Dir  string // the directory, as written (may be relative to the compilation directory)
	Name string // the file name, as written (may be absolute)
}

// Path joins Dir and Name; an absolute Name stands alone.
func (f FileEntry) Path() string {
	if f.Dir == "" || path.IsAbs(f.Name) {
		return f.Name
	}
	return f.Dir + "/" + f.Name
}

// File returns the file for a DW_AT_decl_file or DW_AT_call_file value:
// 1-based before DWARF 5 (0 means no file), 0-based from DWARF 5.
func (lt *LineTable) File(idx uint64) (FileEntry, bool) {
	if lt.Version < 5 {
		if idx == 0 {
			return FileEntry{}, false
		}
		idx--
	}
	if idx >= uint64(len(lt.Files)) {
		return FileEntry{}, false
	}
	return lt.Files[idx], true
}

// LineTable returns the line table header of unit u (nil, nil when the unit
// has no DW_AT_stmt_list). Results are cached; it is safe for concurrent use.
func (d *Data) LineTable(u *Unit) (*LineTable, error) {
	if !u.hasStmtList {
		return nil, nil
	}
	d.linesMu.Lock()
	if d.lines == nil {
		d.lines = make(map[int]*lineResult)
	}
	lr := d.lines[u.Index]
	if lr == nil {
		lr = &lineResult{}
		d.lines[u.Index] = lr
	}
	d.linesMu.Unlock()
	lr.once.Do(func() { lr.lt, lr.err = d.parseLineTable(u) })
	return lr.lt, lr.err
}

// Line-number content types (DW_LNCT_*).
const (
	lnctPath     = 1
	lnctDirIndex = 2
)

func (d *Data) parseLineTable(u *Unit) (lt *LineTable, err error) {
	defer recoverBug(d.name, &err, debug.SetPanicOnFault(true))
	const sec = ".debug_line"
	b := d.newDecoder(d.line, sec)
	start := u.stmtList
	if start >= uint64(len(d.line)) {
		return nil, d.sectionErr(sec, start, ErrBadReference, fmt.Sprintf("DW_AT_stmt_list %#x of the unit at %#x is outside the section (size %#x)", start, u.Offset&^TypesBit, len(d.line)))
	}
	b.off = int(start)
	length := uint64(b.u32())
	format64 := false
	if length == 0xffffffff {
		format64 = true
		length = b.u64()
	} else if length >= 0xfffffff0 {
		return nil, d.sectionErr(sec, start, ErrMalformed, fmt.Sprintf("reserved unit length %#x", length))
	}
	if b.err != nil {
		return nil, b.err
	}
	if length > uint64(b.end-b.off) {
		return nil, d.sectionErr(sec, start, ErrTruncated, fmt.Sprintf("line table length %#x runs past the end of the section", length))
	}
	b.end = b.off + int(length)
	lt = &LineTable{Version: int(b.u16())}
	if b.err == nil && (lt.Version < 2 || lt.Version > 5) {
		return nil, d.sectionErr(sec, start, ErrUnsupported, fmt.Sprintf("line table version %d", lt.Version))
	}
	offSize := 4
	if format64 {
		offSize = 8
	}
	if lt.Version >= 5 {
		b.u8() // address_size
		b.u8() // segment_selector_size
	}
	hlen := b.sized(offSize)
	if b.err != nil {
		return nil, b.err
	}
	if hlen > uint64(b.end-b.off) {
		return nil, d.sectionErr(sec, start, ErrMalformed, fmt.Sprintf("header_length %#x runs past the end of the line table", hlen))
	}
	b.end = b.off + int(hlen)
	b.u8() // minimum_instruction_length
	if lt.Version >= 4 {
		b.u8() // maximum_operations_per_instruction
	}
	b.u8() // default_is_stmt
	b.u8() // line_base
	b.u8() // line_range
	opBase := b.u8()
	if opBase > 0 {
		b.skip(uint64(opBase - 1))
	}
	if b.err != nil {
		return nil, d.lineHeaderErr(start, b.err)
	}
	if lt.Version < 5 {
		lt.Dirs = append(lt.Dirs, u.CompDir)
		for {
			s := b.cstring()
			if b.err != nil {
				return nil, d.lineHeaderErr(start, b.err)
			}
			if len(s) == 0 {
				break
			}
			lt.Dirs = append(lt.Dirs, bytesString(s))
		}
		for {
			name := b.cstring()
			if b.err != nil {
				return nil, d.lineHeaderErr(start, b.err)
			}
			if len(name) == 0 {
				break
			}
			dir := b.uleb()
			b.skipLEB() // mtime
			b.skipLEB() // length
			if b.err != nil {
				return nil, d.lineHeaderErr(start, b.err)
			}
			fe := FileEntry{Name: bytesString(name)}
			if dir < uint64(len(lt.Dirs)) {
				fe.Dir = lt.Dirs[dir]
			}
			lt.Files = append(lt.Files, fe)
		}
		return lt, nil
	}
	// DWARF 5: self-describing entry formats. Offsets in the line table
	// follow the line table's own format.
	lu := *u
	lu.Format64 = offSize == 8
	r := &Reader{d: d, u: &lu, b: b}
	if err := d.lineEntries(r, start, lt, false); err != nil {
		return nil, err
	}
	if err := d.lineEntries(r, start, lt, true); err != nil {
		return nil, err
	}
	return lt, nil
}

func (d *Data) lineHeaderErr(start uint64, err error) error {
	if fe, ok := err.(*FormatError); ok && fe.Err == ErrTruncated {
		fe.Msg = fmt.Sprintf("line table header at %#x is longer than its header_length", start)
	}
	return err
}

// lineEntries reads one DWARF 5 entry-format description and its
// entries into lt: its Dirs, or its Files (whose directories index the
// Dirs read before).
func (d *Data) lineEntries(r *Reader, start uint64, lt *LineTable, files bool) error {
	b := &r.b
	nfmt := int(b.u8())
	type pair struct {
		typ  uint64
		form Form
	}
	var room [8]pair // gcc and clang describe two or three
	fmts := room[:0]
	for i := 0; i < nfmt; i++ {
		fmts = append(fmts, pair{b.uleb(), Form(b.uleb())})
	}
	count := b.uleb()
	if b.err != nil {
		return d.lineHeaderErr(start, b.err)
	}
	if count > 0 && nfmt == 0 || count > uint64(b.end-b.off) {
		return d.sectionErr(".debug_line", uint64(b.off), ErrMalformed, fmt.Sprintf("line table header at %#x: %d entries cannot fit", start, count))
	}
	// count is bounded by the bytes left, not by what the entries take:
	// room for more than a real table holds is made as they are read.
	if files {
		lt.Files = make([]FileEntry, 0, min(count, maxLineEntriesAhead))
	} else {
		lt.Dirs = make([]string, 0, min(count, maxLineEntriesAhead))
	}
	for i := uint64(0); i < count; i++ {
		var name string
		var dir uint64
		at := b.off
		for _, p := range fmts {
			var f Field
			if err := r.value(&f, p.form, 0, 0); err != nil {
				return d.lineHeaderErr(start, err)
			}
			switch p.typ {
			case lnctPath:
				if f.Data == nil && b.err == nil && !f.IsString() {
					return d.sectionErr(".debug_line", uint64(b.off), ErrMalformed, fmt.Sprintf("line table header at %#x: path has form %#x", start, uint16(p.form)))
				}
				name = f.Str()
			case lnctDirIndex:
				dir = f.Val
			}
		}
		if b.off == at {
			// Every form a path can have takes a byte at least: entries
			// of none would let a few bytes of header ask for millions.
			return d.sectionErr(".debug_line", uint64(b.off), ErrMalformed, fmt.Sprintf("line table header at %#x: its entries take no bytes", start))
		}
		if !files {
			lt.Dirs = append(lt.Dirs, name)
			continue
		}
		fe := FileEntry{Name: name}
		if dir < uint64(len(lt.Dirs)) {
			fe.Dir = lt.Dirs[dir]
		}
		lt.Files = append(lt.Files, fe)
	}
	return nil
}

// maxLineEntriesAhead bounds the directories or files of a line table
// that room is made for before they are read.
const maxLineEntriesAhead = 1 << 10
