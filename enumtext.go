package kabi

import "fmt"

// unmarshalEnum finds the value of an enumeration whose String is text.
func unmarshalEnum[T interface {
	~uint8
	String() string
}](what string, text []byte, dst *T) error {
	for v := T(0); v < 64; v++ {
		if v.String() == string(text) {
			*dst = v
			return nil
		}
	}
	return fmt.Errorf("kabi: unknown %s %q", what, text)
}

// UnmarshalText reads the reference text, as MarshalText writes it.
func (c *Collision) UnmarshalText(b []byte) error { return unmarshalEnum("collision kind", b, c) }

// UnmarshalText reads the reference text, as MarshalText writes it.
func (k *InlineKind) UnmarshalText(b []byte) error { return unmarshalEnum("inline kind", b, k) }

// UnmarshalText reads the reference text, as MarshalText writes it.
func (i *Issue) UnmarshalText(b []byte) error { return unmarshalEnum("issue", b, i) }
