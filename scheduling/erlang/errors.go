package erlang

import (
	"fmt"
	"strings"
)

// InputError is one bad value in the input: which line (1-based, 0 when the
// input has no lines, e.g. a parameter), which field and why it is refused.
type InputError struct {
	Line   int
	Field  string
	Reason string
}

// Error implements error.
func (e *InputError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("line %d: %s: %s", e.Line, e.Field, e.Reason)
	}
	return fmt.Sprintf("%s: %s", e.Field, e.Reason)
}

// InputErrors lists every bad value found in one input, so a caller can report
// them all at once (the server maps it to one 422 with per-line details).
type InputErrors []*InputError

// maxListed bounds how many problems Error spells out; the rest are counted.
const maxListed = 20

// Error implements error; it lists the first problems and counts the rest.
func (es InputErrors) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d invalid value(s)", len(es))
	for i, e := range es {
		if i == maxListed {
			fmt.Fprintf(&b, "; and %d more", len(es)-maxListed)
			break
		}
		b.WriteString("; ")
		b.WriteString(e.Error())
	}
	return b.String()
}

// orNil returns nil for an empty list, so a nil error really means success.
func (es InputErrors) orNil() error {
	if len(es) == 0 {
		return nil
	}
	return es
}

func paramError(field, format string, args ...any) *InputError {
	return &InputError{Field: field, Reason: fmt.Sprintf(format, args...)}
}
