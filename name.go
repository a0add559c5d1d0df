package scoregate

import (
	"crypto/rand"
	"encoding/hex"
)

// MaxNameLength is the longest web service or endpoint name classic allowed.
const MaxNameLength = 24

// MaxDescriptionLength is the longest endpoint or web service description.
const MaxDescriptionLength = 2000

// ValidateName checks a web service or endpoint name: 1-24 characters,
// lowercase letters and digits, with hyphens allowed inside but not first or
// last. field names the offending field in the error.
func ValidateName(field, name string) error {
	if name == "" {
		return Errorf(BadUserArgument, CodeInvalidName, field, "name is required")
	}
	if len(name) > MaxNameLength {
		return Errorf(BadUserArgument, CodeInvalidName, field,
			"name %q is %d characters long; the limit is %d", name, len(name), MaxNameLength)
	}
	if name[0] == '-' || name[len(name)-1] == '-' {
		return Errorf(BadUserArgument, CodeInvalidName, field,
			"name %q must not start or end with a hyphen", name)
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-') {
			return Errorf(BadUserArgument, CodeInvalidName, field,
				"name %q may hold only lowercase letters, digits and hyphens", name)
		}
	}
	return nil
}

// ValidateDescription checks the length of a description.
func ValidateDescription(field, s string) error {
	if n := len([]rune(s)); n > MaxDescriptionLength {
		return Errorf(BadUserArgument, CodeInvalidValue, field,
			"description is %d characters long; the limit is %d", n, MaxDescriptionLength)
	}
	return nil
}

// NewID returns a random identifier of 32 lowercase hexadecimal digits, the
// shape of classic workspace, web service and endpoint ids.
func NewID() string {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic("scoregate: crypto/rand failed: " + err.Error())
	}
	return hex.EncodeToString(b[:])
}

// IsID reports whether s has the shape of an id made by NewID.
func IsID(s string) bool {
	if len(s) != 32 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}
