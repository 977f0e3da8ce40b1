package dwarfx

import "debug/dwarf"

// Form is a DWARF attribute form (DW_FORM_*).
type Form uint16

// Forms of DWARF 2 to 5 and the GNU extensions.
const (
	FormAddr          Form = 0x01
	FormBlock2        Form = 0x03
	FormBlock4        Form = 0x04
	FormData2         Form = 0x05
	FormData4         Form = 0x06
	FormData8         Form = 0x07
	FormString        Form = 0x08
	FormBlock         Form = 0x09
	FormBlock1        Form = 0x0a
	FormData1         Form = 0x0b
	FormFlag          Form = 0x0c
	FormSdata         Form = 0x0d
	FormStrp          Form = 0x0e
	FormUdata         Form = 0x0f
	FormRefAddr       Form = 0x10
	FormRef1          Form = 0x11
	FormRef2          Form = 0x12
	FormRef4          Form = 0x13
	FormRef8          Form = 0x14
	FormRefUdata      Form = 0x15
	FormIndirect      Form = 0x16
	FormSecOffset     Form = 0x17
	FormExprloc       Form = 0x18
	FormFlagPresent   Form = 0x19
	FormStrx          Form = 0x1a
	FormAddrx         Form = 0x1b
	FormRefSup4       Form = 0x1c
	FormStrpSup       Form = 0x1d
	FormData16        Form = 0x1e
	FormLineStrp      Form = 0x1f
	FormRefSig8       Form = 0x20
	FormImplicitConst Form = 0x21
	FormLoclistx      Form = 0x22
	FormRnglistx      Form = 0x23
	FormRefSup8       Form = 0x24
	FormStrx1         Form = 0x25
	FormStrx2         Form = 0x26
	FormStrx3         Form = 0x27
	FormStrx4         Form = 0x28
	FormAddrx1        Form = 0x29
	FormAddrx2        Form = 0x2a
	FormAddrx3        Form = 0x2b
	FormAddrx4        Form = 0x2c
	FormGNUAddrIndex  Form = 0x1f01
	FormGNUStrIndex   Form = 0x1f02
	FormGNURefAlt     Form = 0x1f20
	FormGNUStrpAlt    Form = 0x1f21
)

// Tags and attributes this package handles specially that debug/dwarf does
// not name.
const (
	TagCallSite    dwarf.Tag = 0x48
	TagGNUCallSite dwarf.Tag = 0x4109
	TagSkeletonCU  dwarf.Tag = 0x4a

	AttrCallOrigin    dwarf.Attr = 0x7f
	AttrGNUAddrBase   dwarf.Attr = 0x2133
	AttrGNURangesBase dwarf.Attr = 0x2132
)

// UnitKind is a unit type (DW_UT_*). Units before DWARF 5 are given the
// equivalent kind: UnitCompile (or UnitPartial, from the root entry's tag)
// for .debug_info units, UnitTypeUnit for .debug_types units.
type UnitKind uint8

const (
	UnitCompile      UnitKind = 0x01
	UnitTypeUnit     UnitKind = 0x02
	UnitPartial      UnitKind = 0x03
	UnitSkeleton     UnitKind = 0x04
	UnitSplitCompile UnitKind = 0x05
	UnitSplitType    UnitKind = 0x06
)

func (t UnitKind) String() string {
	switch t {
	case UnitCompile:
		return "compile"
	case UnitTypeUnit:
		return "type"
	case UnitPartial:
		return "partial"
	case UnitSkeleton:
		return "skeleton"
	case UnitSplitCompile:
		return "split_compile"
	case UnitSplitType:
		return "split_type"
	}
	return "unknown"
}
