package dwarfx

import (
	"debug/dwarf"
	"fmt"
	"hash/maphash"
	"math/rand/v2"
	"runtime/debug"
	"slices"
	"unsafe"

	"github.com/kabi-dev/kabi/internal/freelist"
	"github.com/kabi-dev/kabi/internal/slots"
)

// A TypeDefinition is a struct, union, enum or class type as its DWARF entry
// defines it: its size and its members or enumerators, in entry order.
type TypeDefinition struct {
	Offset  uint64   // the type entry
	Kind    TypeKind // TypeStruct, TypeUnion, TypeEnum or TypeClass
	Name    string   // DW_AT_name; empty for an anonymous type
	Size    int64    // DW_AT_byte_size, -1 when absent
	File    FileEntry
	HasFile bool
	Line    uint64 // DW_AT_decl_line
	// Members are a struct's, union's or class's data members.
	Members []Member
	// Enumerators are an enum's values. Unsigned says they are unsigned:
	// the enum's underlying type (DW_AT_type) is, or it has none and its
	// values use unsigned forms.
	Enumerators []Enumerator
	Unsigned    bool
	// Target is a typedef's type (Kind TypeTypedef; nil is void), and
	// Anon that type's definition when it is an anonymous struct, union
	// or enum (typedef struct { int counter; } atomic_t).
	Target *Type
	Anon   *TypeDefinition
}

// A Member is one data member of a struct, union or class.
type Member struct {
	Offset uint64 // the DW_TAG_member entry
	Name   string // empty for an anonymous struct or union member
	Type   *Type
	// BitOffset is the member's offset in bits from the start of the
	// enclosing type (DW_AT_data_member_location, DW_AT_data_bit_offset,
	// or the DWARF 2-4 DW_AT_bit_offset counted from the storage unit's
	// most significant bit); 0 for a union member. -1 when the location is
	// an expression this decoder does not evaluate.
	BitOffset int64
	BitSize   int64 // DW_AT_bit_size of a bitfield, else 0
	// Anon is the definition of the member's type when that type is an
	// anonymous struct, union or enum (possibly qualified, or the element
	// of arrays or pointers): C and CO-RE see through anonymous struct and
	// union members, and such types are reachable only here.
	Anon *TypeDefinition
}

// An Enumerator is one value of an enum. Value holds the bits of the
// constant; read it as a uint64 when the enum is Unsigned.
type Enumerator struct {
	Name  string
	Value int64
}

// Bounds for hostile definitions.
const (
	maxMembers   = 1 << 16 // members or enumerators of one definition (BTF's limit)
	maxAnonDepth = 32      // anonymous definitions nested in one another
	maxTypeSize  = 1 << 40 // bytes of one type
)

// A TypeKey identifies a named definition cheaply, before its members
// are decoded: a walk asks ExtractOptions.WantType with it. The same
// source definition compiled into many units has the same key in each.
// Its strings point into the DWARF sections; within one worker of a walk,
// equal Files of different units are mostly given with the same strings
// (the first unit's to ask about that file), so that a WantType may
// remember a file by where its strings are, though each unit's line table
// has strings of its own. That is a hint for a cache, not a promise: a
// key whose name the walk does not memoize carries its own unit's
// strings, so equal files may come with different strings.
type TypeKey struct {
	Kind TypeKind
	Name string
	Size int64
	File FileEntry
	Line uint64
}

// defWant selects what the definition decoder reads besides typesWant.
func defWant(tag dwarf.Tag, attr dwarf.Attr) bool {
	switch tag {
	case dwarf.TagStructType, dwarf.TagUnionType, dwarf.TagEnumerationType, dwarf.TagClassType:
		switch attr {
		case dwarf.AttrName, dwarf.AttrByteSize, dwarf.AttrDeclaration, dwarf.AttrDeclFile, dwarf.AttrDeclLine,
			dwarf.AttrType, dwarf.AttrSignature:
			return true
		}
	case dwarf.TagMember:
		switch attr {
		case dwarf.AttrName, dwarf.AttrType, dwarf.AttrDataMemberLoc, dwarf.AttrDataBitOffset,
			dwarf.AttrBitOffset, dwarf.AttrBitSize, dwarf.AttrByteSize, dwarf.AttrDeclaration:
			return true
		}
	case dwarf.TagEnumerator:
		return attr == dwarf.AttrName || attr == dwarf.AttrConstValue
	case dwarf.TagTypedef:
		switch attr {
		case dwarf.AttrName, dwarf.AttrType, dwarf.AttrDeclFile, dwarf.AttrDeclLine:
			return true
		}
	}
	return false
}

// walkDefWant is what the walk reads of a type entry to make its TypeKey.
func walkDefWant(tag dwarf.Tag, attr dwarf.Attr) bool {
	switch tag {
	case dwarf.TagStructType, dwarf.TagUnionType, dwarf.TagEnumerationType, dwarf.TagClassType:
		switch attr {
		case dwarf.AttrName, dwarf.AttrByteSize, dwarf.AttrDeclaration, dwarf.AttrDeclFile, dwarf.AttrDeclLine:
			return true
		}
	case dwarf.TagTypedef:
		return attr == dwarf.AttrName || attr == dwarf.AttrDeclFile || attr == dwarf.AttrDeclLine
	}
	return false
}

// defKind is the TypeKind of a definition's tag, 0 for other tags.
func defKind(tag dwarf.Tag) TypeKind {
	switch tag {
	case dwarf.TagStructType:
		return TypeStruct
	case dwarf.TagUnionType:
		return TypeUnion
	case dwarf.TagEnumerationType:
		return TypeEnum
	case dwarf.TagClassType:
		return TypeClass
	case dwarf.TagTypedef:
		return TypeTypedef
	}
	return 0
}

// TypeDefinition decodes the struct, union, enum or class definition at off,
// with the definitions of anonymous member types. A declaration (a type
// without members, DW_AT_declaration) decodes with no members. Results
// are not cached.
func (t *TypeDecoder) TypeDefinition(off uint64) (def *TypeDefinition, err error) {
	defer recoverBug(t.d.name, &err, debug.SetPanicOnFault(true))
	return t.definition(off, 0, nil)
}

// definition decodes the definition at off; open lists the anonymous
// definitions being decoded around it, to refuse cycles.
func (t *TypeDecoder) definition(off uint64, depth int, open []uint64) (*TypeDefinition, error) {
	if depth > maxAnonDepth {
		return nil, t.errAt(off, ErrMalformed, "anonymous types nested too deeply")
	}
	for _, o := range open {
		if o == off {
			return nil, t.errAt(off, ErrMalformed, "a type contains itself")
		}
	}
	e, err := t.entry(off, off)
	if err != nil {
		return nil, err
	}
	def := t.defArena.one()
	*def = TypeDefinition{Offset: off, Kind: defKind(e.Tag), Size: -1}
	if def.Kind == 0 {
		return nil, t.errAt(off, ErrMalformed, fmt.Sprintf("definition of a %v entry", e.Tag))
	}
	var fileIdx, typ uint64
	hasFileIdx, hasType := false, false
	for i := range e.Fields {
		f := &e.Fields[i]
		switch f.Attr {
		case dwarf.AttrName:
			def.Name = f.Str()
		case dwarf.AttrByteSize:
			def.Size = int64(f.Val)
			if f.Val > maxTypeSize {
				return nil, t.errAt(off, ErrMalformed, fmt.Sprintf("absurd type size %d", f.Val))
			}
		case dwarf.AttrDeclFile:
			fileIdx, hasFileIdx = f.Val, true
		case dwarf.AttrDeclLine:
			def.Line = f.Val
		case dwarf.AttrType:
			if typ, err = t.ref(f, off); err != nil {
				return nil, err
			}
			hasType = true
		}
	}
	children := e.Children
	if hasFileIdx {
		if u, ok := t.d.UnitAt(off); ok {
			lt, err := t.d.LineTable(u)
			if err != nil {
				return nil, err
			}
			if lt != nil {
				def.File, def.HasFile = lt.File(fileIdx)
			}
		}
	}
	if def.Kind == TypeTypedef {
		if hasType {
			if def.Target, err = t.typ(typ, 0); err != nil {
				return nil, err
			}
			if a := anonTagged(def.Target); a != nil {
				if def.Anon, err = t.definition(a.Offset, depth+1, append(open, off)); err != nil {
					return nil, err
				}
			}
		}
		return def, nil
	}
	if !children {
		return def, nil
	}
	// The children are read first, while the reader is on them, onto
	// the scratch stacks; their types after, since decoding a type moves
	// the reader.
	mBase, eBase, pBase := len(t.members), len(t.enums), len(t.pend)
	defer func() {
		t.members, t.enums, t.pend = t.members[:mBase], t.enums[:eBase], t.pend[:pBase]
	}()
	signedForms := false
	r := t.r
	for {
		c, err := r.next()
		if err != nil {
			return nil, err
		}
		if c == nil || c.Tag == 0 {
			break
		}
		switch {
		case c.Tag == dwarf.TagMember && def.Kind != TypeEnum:
			if len(t.members)-mBase >= maxMembers {
				return nil, t.errAt(c.Offset, ErrMalformed, "too many members")
			}
			m := Member{Offset: c.Offset}
			var p pendingMember
			p.storage = -1
			skip := false
			for i := range c.Fields {
				f := &c.Fields[i]
				switch f.Attr {
				case dwarf.AttrName:
					m.Name = f.Str()
				case dwarf.AttrType:
					if p.typ, err = t.ref(f, c.Offset); err != nil {
						return nil, err
					}
					p.hasType = true
				case dwarf.AttrDataMemberLoc:
					p.hasLoc = true
					if v, ok := memberLocation(f); ok {
						p.loc = v
					} else {
						p.locExpr = true
					}
				case dwarf.AttrDataBitOffset:
					p.dataBit, p.hasDataBit = int64(f.Val), true
				case dwarf.AttrBitOffset:
					p.bit, p.hasBit = int64(f.Val), true
				case dwarf.AttrBitSize:
					m.BitSize = int64(f.Val)
				case dwarf.AttrByteSize:
					p.storage = int64(f.Val)
				case dwarf.AttrDeclaration:
					skip = f.Val != 0 // a C++ static data member
				}
			}
			if m.BitSize < 0 || m.BitSize > 8*maxTypeSize || p.loc < 0 || p.loc > maxTypeSize || p.dataBit < 0 || p.dataBit > 8*maxTypeSize {
				return nil, t.errAt(c.Offset, ErrMalformed, "absurd member offset or bit size")
			}
			if !skip {
				t.members = append(t.members, m)
				t.pend = append(t.pend, p)
			}
		case c.Tag == dwarf.TagEnumerator && def.Kind == TypeEnum:
			if len(t.enums)-eBase >= maxMembers {
				return nil, t.errAt(c.Offset, ErrMalformed, "too many enumerators")
			}
			en := Enumerator{}
			for i := range c.Fields {
				f := &c.Fields[i]
				switch f.Attr {
				case dwarf.AttrName:
					en.Name = f.Str()
				case dwarf.AttrConstValue:
					en.Value = int64(f.Val)
					if f.Form == FormSdata || f.Form == FormImplicitConst {
						signedForms = true
					}
				}
			}
			t.enums = append(t.enums, en)
		}
		if c.Children {
			r.SkipChildren()
			if r.err != nil {
				return nil, r.err
			}
		}
	}
	if n := len(t.members) - mBase; n > 0 {
		def.Members = t.memArena.take(n)
		copy(def.Members, t.members[mBase:])
	}
	if n := len(t.enums) - eBase; n > 0 {
		def.Enumerators = t.enumArena.take(n)
		copy(def.Enumerators, t.enums[eBase:])
	}
	// Decoding the members' anonymous definitions below pushes onto the
	// stacks: todo keeps the array it has, whatever they do.
	todo := t.pend[pBase:]
	if def.Kind == TypeEnum {
		def.Unsigned = !signedForms
		if hasType {
			ut, err := t.underlying(typ, 0)
			if err != nil {
				return nil, err
			}
			if ut != nil && ut.Kind == TypeBase {
				def.Unsigned = !signedEncoding(ut.Encoding)
			}
		}
		if !def.Unsigned {
			// Fixed-size data forms carry no sign: extend it from the
			// enum's size.
			for i := range def.Enumerators {
				def.Enumerators[i].Value = signExtend(def.Enumerators[i].Value, def.Size)
			}
		}
		return def, nil
	}
	open = append(open, off)
	for i := range def.Members {
		m, p := &def.Members[i], &todo[i]
		if p.hasType {
			if m.Type, err = t.typ(p.typ, 0); err != nil {
				return nil, err
			}
		}
		switch {
		case p.hasDataBit:
			m.BitOffset = p.dataBit
		case p.locExpr:
			m.BitOffset = -1
		case p.hasBit && m.BitSize > 0:
			// DWARF 2-4: bits from the most significant bit of a storage
			// unit of DW_AT_byte_size (else the type's size) bytes at the
			// member location.
			storage := p.storage
			if storage < 0 {
				if storage, err = t.sizeOf(m.Type); err != nil {
					return nil, err
				}
			}
			if t.d.big || storage < 0 {
				m.BitOffset = p.loc*8 + p.bit
			} else {
				m.BitOffset = p.loc*8 + storage*8 - p.bit - m.BitSize
			}
			if m.BitOffset < 0 {
				return nil, t.errAt(m.Offset, ErrMalformed, "bit offset before the start of the type")
			}
		default:
			m.BitOffset = p.loc * 8
		}
		if def.Size >= 0 && m.BitOffset > def.Size*8 || def.Size >= 0 && m.BitSize > 0 && m.BitOffset+m.BitSize > def.Size*8 {
			return nil, t.errAt(m.Offset, ErrMalformed, fmt.Sprintf("member %q at bit %d (width %d) lies past the end of its %d-byte type", m.Name, m.BitOffset, m.BitSize, def.Size))
		}
		if a := anonTagged(m.Type); a != nil {
			if m.Anon, err = t.definition(a.Offset, depth+1, open); err != nil {
				return nil, err
			}
		}
	}
	return def, nil
}

// pendingMember is what the first pass over a definition's children
// keeps of a member besides the Member itself.
type pendingMember struct {
	typ               uint64
	hasType           bool
	loc, dataBit, bit int64
	hasLoc, locExpr   bool
	hasDataBit        bool
	hasBit            bool
	storage           int64
}

// memberLocation reads DW_AT_data_member_location as a constant: a
// constant form, or the DWARF 2 expression DW_OP_plus_uconst N.
func memberLocation(f *Field) (int64, bool) {
	switch f.Form {
	case FormData1, FormData2, FormData4, FormData8, FormUdata, FormImplicitConst:
		return int64(f.Val), true
	case FormSdata:
		return int64(f.Val), true
	case FormBlock, FormBlock1, FormBlock2, FormBlock4, FormExprloc:
		const opPlusUconst, opConstu = 0x23, 0x10
		if len(f.Data) > 1 && (f.Data[0] == opPlusUconst || f.Data[0] == opConstu) {
			v, n := uleb(f.Data[1:])
			if n > 0 && 1+n == len(f.Data) {
				return int64(v), true
			}
		}
	}
	return 0, false
}

// uleb decodes an unsigned LEB128 number from b: the value and the bytes
// read, 0 when b ends first or it overflows.
func uleb(b []byte) (uint64, int) {
	var v uint64
	for i, c := range b {
		if i >= 10 {
			return 0, 0
		}
		v |= uint64(c&0x7f) << (7 * uint(i))
		if c&0x80 == 0 {
			return v, i + 1
		}
	}
	return 0, 0
}

// anonTagged returns the anonymous struct, union, enum or class type at
// the end of qualifiers, arrays and pointers from ty, or nil.
func anonTagged(ty *Type) *Type {
	for i := 0; ty != nil && i < maxTypeDepth; i++ {
		switch ty.Kind {
		case TypeConst, TypeVolatile, TypeRestrict, TypeAtomic, TypeArray, TypePointer:
			ty = ty.Elem
		case TypeStruct, TypeUnion, TypeEnum, TypeClass:
			if ty.Name == "" {
				return ty
			}
			return nil
		default:
			return nil
		}
	}
	return nil
}

// underlying follows qualifiers and typedefs from the type at off.
func (t *TypeDecoder) underlying(off uint64, hop int) (*Type, error) {
	for ; hop < maxChain; hop++ {
		ty, err := t.typ(off, 0)
		if err != nil {
			return nil, err
		}
		switch ty.Kind {
		case TypeTypedef:
			if ty.Target == 0 {
				return nil, nil
			}
			off = ty.Target
		case TypeConst, TypeVolatile, TypeRestrict, TypeAtomic:
			if ty.Elem == nil {
				return nil, nil
			}
			off = ty.Elem.Offset
		default:
			return ty, nil
		}
	}
	return nil, nil
}

// sizeOf returns the size in bytes of ty, through typedefs and
// qualifiers; -1 when unknown.
func (t *TypeDecoder) sizeOf(ty *Type) (int64, error) {
	if ty == nil {
		return -1, nil
	}
	u, err := t.underlying(ty.Offset, 0)
	if err != nil || u == nil {
		return -1, err
	}
	return u.Size, nil
}

// signedEncoding reports whether a base type encoding is signed.
func signedEncoding(enc uint8) bool {
	switch enc {
	case 0x05, 0x06, 0x0d: // DW_ATE_signed, signed_char, signed_fixed
		return true
	}
	return false
}

// signExtend sign-extends v from size bytes.
func signExtend(v, size int64) int64 {
	if size <= 0 || size >= 8 {
		return v
	}
	shift := 64 - 8*uint(size)
	return v << shift >> shift
}

// defsView is what the type decoder of a walk that decodes definitions
// reads: typesView and the members' and enumerators' attributes.
func defsView(tag dwarf.Tag, attr dwarf.Attr) bool {
	return typesView(tag, attr) || defWant(tag, attr)
}

// typeDef decodes the definition the walk has just met, if it is named,
// not a declaration, and WantType accepts it.
func (x *extractor) typeDef(e *Entry) error {
	kind := defKind(e.Tag)
	size := int64(-1)
	var nameField *Field
	var fileIdx, line uint64
	hasFile := false
	for i := range e.Fields {
		f := &e.Fields[i]
		switch f.Attr {
		case dwarf.AttrName:
			nameField = f
		case dwarf.AttrByteSize:
			size = int64(f.Val)
		case dwarf.AttrDeclaration:
			if f.Val != 0 {
				return nil
			}
		case dwarf.AttrDeclFile:
			fileIdx, hasFile = f.Val, true
		case dwarf.AttrDeclLine:
			line = f.Val
		}
	}
	if nameField == nil {
		return nil // anonymous: decoded as members' types
	}
	name := x.defName(nameField)
	if name == "" {
		return nil
	}
	if x.ltFor != x.cu.Unit.Index+1 {
		x.ltFor, x.lt, x.ltRead = x.cu.Unit.Index+1, nil, false
		if x.typeMemo != nil {
			x.unitFiles = x.unitFiles[:0]
		}
	}
	if hasFile && !x.ltRead {
		lt, err := x.d.LineTable(x.cu.Unit)
		if err != nil {
			return err
		}
		x.lt, x.ltRead = lt, true
	}
	if x.wantType != nil {
		// Met in this worker for an earlier unit? The key of a named
		// definition is all integers: its name's hash and where it is,
		// its size, line and kind, and its file's number in this worker
		// (see fileID). A name is known by what it says, not where it
		// is: a module's units have strings of their own (ld -r merges
		// no .debug_str), and one definition's name in each unit is
		// elsewhere.
		u := int32(x.cu.Unit.Index)
		// With no key met, or no unit after this one, there is nothing
		// to find, or to keep: a module of one unit keeps nothing.
		last := int(u) == len(x.d.units)-1
		file := uint32(0) // not numbered
		m := x.typeMemo
		sec, off := m.place(name)
		if sec != 0 && (m.n > 0 || !last) {
			file = x.fileID(fileIdx, hasFile)
			k := seenKey{hash: maphash.String(m.seed, name), name: off, size: size, line: line, file: file,
				nameLen: uint32(len(name)), kind: kind, nameSec: sec}
			if s, slot := m.find(&k); s != nil {
				if s.unit < u {
					return nil // asked for an earlier unit: see ExtractOptions.WantType
				}
				s.unit = u
			} else if !last {
				k.unit = u
				m.add(slot, &k)
			}
		}
		// The key lives in the extractor: one made here for each ask
		// would go to the heap, as wantType keeps nothing it is given
		// but the compiler cannot know.
		x.key = TypeKey{Kind: kind, Name: name, Size: size, Line: line}
		switch {
		case file != 0:
			// Equal files of the walk's units are one entry, with the
			// same strings: WantType can know a file by where they are.
			x.key.File, _ = x.typeMemo.fileOf(file)
		case hasFile && x.lt != nil:
			x.key.File, _ = x.lt.File(fileIdx)
		}
		if !x.wantType(int(u), &x.key) {
			return nil
		}
	}
	def, err := x.types.definition(e.Offset, 0, nil)
	if err != nil {
		return err
	}
	x.cu.Types = append(x.cu.Types, def)
	return nil
}

// defName returns what the DW_AT_name field f of a definition the walk
// met says: the walk leaves a name in .debug_str or .debug_line_str
// unread, its offset there checked (see Reader.defNames), until typeDef
// knows that the entry is no declaration. Such a field's Data is empty,
// and the name starts where it does (no value read has room past its
// end; the form is asked too, so that this rule holds for strings only).
func (x *extractor) defName(f *Field) string {
	if s := f.Data; len(s) == 0 && cap(s) > 0 && f.IsString() {
		s, _ = cstringAt(s[:cap(s)], 0)
		return bytesString(s)
	}
	return f.Str()
}

// fileID numbers the file of a definition's DW_AT_decl_file in this
// worker: the same number for equal file entries (as TypeKey compares
// them), 1 when there is none. The numbers are as many as the distinct
// files, whatever the number of units, and each names the entry of the
// first unit met with it (see fileOf): the line tables of a module's
// units have strings of their own (ld -r does not merge
// .debug_line_str, and a DWARF 4 header holds its strings), so a file
// known by where its strings are was a new file in every unit.
func (x *extractor) fileID(idx uint64, has bool) uint32 {
	if !has || x.lt == nil || idx > uint64(len(x.lt.Files)) {
		return 1
	}
	if len(x.unitFiles) == 0 {
		x.unitFiles = slices.Grow(x.unitFiles, len(x.lt.Files)+1)[:len(x.lt.Files)+1]
		clear(x.unitFiles)
	}
	if id := x.unitFiles[idx]; id != 0 {
		return id
	}
	id := uint32(1)
	if fe, ok := x.lt.File(idx); ok {
		id = x.typeMemo.fileNumber(&fe)
	}
	x.unitFiles[idx] = id
	return id
}

// fileNumber returns the number of file entry fe, numbering it if it is
// new (see fileID). The files are found by an index of open addressing
// on a hash of their strings, and compared with the strings of the last
// unit that looked them up, which the caches hold more often than the
// first's: a module's units look up mostly the same files, each with
// strings of its own.
func (m *typeMemo) fileNumber(fe *FileEntry) uint32 {
	if 2*(len(m.fileEntries)+1) > m.fileSize {
		m.growFiles()
	}
	h := m.fileHash(fe)
	n, i := slots.Find(m.fileSlots[:m.fileSize], h, func(n int) bool {
		last := &m.fileLast[n]
		return last.Name == fe.Name && last.Dir == fe.Dir
	})
	if n >= 0 {
		m.fileLast[n] = *fe
		return uint32(n) + 2
	}
	m.fileEntries = append(m.fileEntries, *fe)
	m.fileLast = append(m.fileLast, *fe)
	m.fileHashes = append(m.fileHashes, h)
	m.fileSlots[i] = slots.Slot(h, len(m.fileEntries)-1)
	return uint32(len(m.fileEntries) + 1)
}

func (m *typeMemo) fileHash(fe *FileEntry) uint64 {
	return slots.Mix(maphash.String(m.seed, fe.Dir)^m.r0, maphash.String(m.seed, fe.Name)^m.r1)
}

// growFiles doubles the index of files.
func (m *typeMemo) growFiles() {
	m.fileSize = max(2*m.fileSize, firstFileSlots)
	m.fileSlots = slots.Rebuild(m.fileSlots, m.fileSize, len(m.fileHashes), func(n int) uint64 { return m.fileHashes[n] })
}

// firstFileSlots is the size of a walk's index of files until it grows.
const firstFileSlots = 1 << 9

// fileOf returns the file entry numbered id (see fileID), with the
// strings of the first unit that had it.
func (m *typeMemo) fileOf(id uint32) (FileEntry, bool) {
	if id < 2 {
		return FileEntry{}, false
	}
	return m.fileEntries[id-2], true
}

// typeUnit returns the named definitions among the top-level entries of
// a type unit (DWARF 4 .debug_types, DWARF 5 DW_UT_type), as a unit
// without functions.
func (x *extractor) typeUnit(u *Unit) (*CompileUnit, error) {
	x.cu = &CompileUnit{Unit: u}
	if x.types != nil {
		x.types.Reset()
	}
	r := x.r
	r.limit = u.Index + 1
	if err := r.seekUnit(u.Index); err != nil {
		return nil, err
	}
	root, err := r.next()
	if err != nil {
		return nil, err
	}
	if root == nil || root.Tag == 0 || !root.Children {
		return x.cu, nil
	}
	for r.b.off < r.b.end {
		e, err := r.next()
		if err != nil {
			return nil, err
		}
		if e == nil || e.Tag == 0 {
			break
		}
		if defKind(e.Tag) != 0 {
			if err := x.typeDef(e); err != nil {
				return nil, err
			}
		}
		if e.Children {
			r.SkipChildren()
			if r.err != nil {
				return nil, r.err
			}
		}
	}
	return x.cu, nil
}

// A typeMemo is what typeDef keeps of the named definitions a worker
// met, and the worker's file numbers. The definitions are in keys, in the
// order met, found by an index of open addressing, and hold no pointer:
// a kept key's name is in the memo's names, the key looked up says where
// its name is in the walk's sections, which stay where they are while the
// walk runs. A worker meets millions over a kernel's modules, and the
// index of a walk stays in the caches where a map of chains did not.
// A memo goes to the next walk (a kernel's modules are read one walk
// each) with its arrays: touching memory the process has not used is
// dear, and a map made anew for each module, or grown, is that.
type typeMemo struct {
	// keys are in chunks, which growing does not copy; n are met.
	chunks []*[chunkKeys]seenKey
	n      int
	// index is the first size slots of slots, a power of two: 0 is
	// empty, else the high half of the key's hash and 1 + its place in
	// keys.
	slots  []uint64
	size   int
	r0, r1 uint64       // the hash's seeds: a file cannot choose which keys share a slot
	seed   maphash.Seed // the names'
	// secs are the sections of the walk where the keys' names are.
	secs [4][]byte
	// names are the names of the keys held, one after the other: a key
	// met again, in another unit, has its name compared with the copy
	// here, which the caches hold, rather than with the first unit's in
	// a section of hundreds of MB.
	names []byte

	// fileEntries are the files numbered (see fileID), by number - 2, as
	// first met; fileLast the same with the strings of the last unit to
	// look them up, and fileHashes their hashes; fileSlots, the first
	// fileSize of them, a power of two, index them as slots does keys.
	fileEntries []FileEntry
	fileLast    []FileEntry
	fileHashes  []uint64
	fileSlots   []uint64
	fileSize    int
	unitFiles   []uint32 // of unit ltFor-1: file numbers by DW_AT_decl_file, 0 until looked up
}

// seenKey is a named definition a worker has met, as typeDef keys it.
// Its name is the hash of what it says, and where it is: nameLen bytes
// at offset name of the walk's section nameSec (see typeMemo.place), or,
// nameSec 0, of the memo's names (a key the memo holds).
type seenKey struct {
	hash    uint64
	name    uint64
	size    int64
	line    uint64
	file    uint32 // see fileID
	nameLen uint32
	unit    int32 // the last unit it was met in
	kind    TypeKind
	nameSec uint8
}

// sameBut reports whether s and k are the same definition key, but for
// what their names say.
func (s *seenKey) sameBut(k *seenKey) bool {
	return s.hash == k.hash && s.size == k.size && s.line == k.line && s.file == k.file && s.nameLen == k.nameLen && s.kind == k.kind
}

// same reports whether s and k are the same definition key: their names
// say the same (a kept key's name is the memo's copy, the key looked up
// names its place in a section, so places are never compared).
func (m *typeMemo) same(s, k *seenKey) bool {
	return s.sameBut(k) && m.name(s) == m.name(k)
}

// place returns where name is: the number of its section in secs (1 up),
// and its offset there; 0 when it is in none of them.
func (m *typeMemo) place(name string) (uint8, uint64) {
	p := uintptr(unsafe.Pointer(unsafe.StringData(name)))
	for i, b := range &m.secs {
		if lo := uintptr(unsafe.Pointer(unsafe.SliceData(b))); len(b) > 0 && p >= lo && p+uintptr(len(name)) <= lo+uintptr(len(b)) {
			return uint8(i + 1), uint64(p - lo)
		}
	}
	return 0, 0
}

// name returns the name of k.
func (m *typeMemo) name(k *seenKey) string {
	if k.nameSec == 0 {
		return bytesString(m.names[k.name : k.name+uint64(k.nameLen)])
	}
	return bytesString(m.secs[k.nameSec-1][k.name : k.name+uint64(k.nameLen)])
}

func (m *typeMemo) hash(k *seenKey) uint64 {
	h := slots.Mix(k.hash^m.r0, uint64(k.size)^m.r1)
	return slots.Mix(h^k.line^m.r1, (uint64(k.file)|uint64(k.nameLen)<<32)^uint64(k.kind)<<24^m.r0)
}

// firstSlots is the size of a walk's index until it grows; chunkKeys
// the keys of a chunk.
const (
	firstSlots = 1 << 12
	chunkKeys  = 1 << 11
)

// key returns the nth key met.
func (m *typeMemo) key(n int) *seenKey { return &m.chunks[n/chunkKeys][n%chunkKeys] }

// find returns the key met equal to k, or nil and the slot where it
// goes (see add).
func (m *typeMemo) find(k *seenKey) (*seenKey, int) {
	if 2*(m.n+1) > m.size {
		m.grow()
	}
	n, slot := slots.Find(m.slots[:m.size], m.hash(k), func(n int) bool { return m.same(m.key(n), k) })
	if n < 0 {
		return nil, slot
	}
	return m.key(n), slot
}

// add adds k at the slot that find returned for it.
func (m *typeMemo) add(slot int, k *seenKey) {
	if m.n == len(m.chunks)*chunkKeys {
		m.chunks = append(m.chunks, new([chunkKeys]seenKey))
	}
	s := m.key(m.n)
	*s = *k
	if k.nameSec != 0 {
		s.name, s.nameSec = uint64(len(m.names)), 0
		m.names = append(m.names, m.name(k)...)
	}
	m.n++
	m.slots[slot] = slots.Slot(m.hash(k), m.n-1)
}

// grow doubles the index, keeping the slots it had.
func (m *typeMemo) grow() {
	m.size = max(2*m.size, firstSlots)
	m.slots = slots.Rebuild(m.slots, m.size, m.n, func(n int) uint64 { return m.hash(m.key(n)) })
}

// The memos of the walks that ended, for the next ones: a sync.Pool's
// would be dropped at every collection, which a whole kernel's read
// runs many of.
var typeMemos = freelist.List[*typeMemo]{Max: maxMemos}

// Bounds of the memos that are kept: as many as the walks that run at
// once on a machine of a few cores, and the room for keys of one (most
// modules have a few thousand; a few of a kernel's, and its vmlinux's
// workers, hundreds of thousands).
const (
	maxMemos    = 16
	maxMemoKeys = 1 << 14
)

func newTypeMemo() *typeMemo {
	m, ok := typeMemos.Get()
	if !ok {
		m = &typeMemo{r0: rand.Uint64() | 1, r1: rand.Uint64() | 1, seed: maphash.MakeSeed()}
	}
	m.reset()
	return m
}

// reset empties the memo for a new walk.
func (m *typeMemo) reset() {
	m.n = 0
	m.clearFiles() // their strings are the last walk's
	m.names = m.names[:0]
	m.size = min(firstSlots, len(m.slots))
	clear(m.slots[:m.size])
}

// clearFiles forgets the files numbered, and their strings.
func (m *typeMemo) clearFiles() {
	clear(m.fileEntries)
	clear(m.fileLast)
	m.fileEntries, m.fileLast, m.fileHashes = m.fileEntries[:0], m.fileLast[:0], m.fileHashes[:0]
	m.fileSize = min(firstFileSlots, len(m.fileSlots))
	clear(m.fileSlots[:m.fileSize])
}

// releaseTypeMemo gives the worker's memo to the next walk: its keys
// name places in this walk's sections.
func (x *extractor) releaseTypeMemo() {
	m := x.typeMemo
	if m == nil {
		return
	}
	x.typeMemo, x.key = nil, TypeKey{}
	m.secs = [4][]byte{}
	if len(m.chunks) > maxMemoKeys/chunkKeys {
		clear(m.chunks[maxMemoKeys/chunkKeys:]) // else the backing array keeps them
		m.chunks = m.chunks[:maxMemoKeys/chunkKeys]
	}
	if len(m.slots) > 4*maxMemoKeys {
		m.slots = nil
	}
	if cap(m.names) > maxMemoNames {
		m.names = nil
	}
	if len(m.fileEntries) > maxMemoFileIDs {
		m.fileEntries, m.fileLast, m.fileHashes, m.fileSlots, m.fileSize = nil, nil, nil, nil, 0
	} else {
		m.clearFiles()
	}
	m.unitFiles = m.unitFiles[:0]
	typeMemos.Put(m)
}

// maxMemoFileIDs bounds the distinct files a kept memo keeps room for,
// and maxMemoNames the bytes of names.
const (
	maxMemoFileIDs = 1 << 12
	maxMemoNames   = 1 << 20
)
