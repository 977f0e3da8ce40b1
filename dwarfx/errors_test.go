package dwarfx

import "errors"

// isFormatError reports whether err is a *FormatError wrapping sentinel.
func isFormatError(err, sentinel error) bool {
	var fe *FormatError
	return errors.As(err, &fe) && errors.Is(err, sentinel)
}
