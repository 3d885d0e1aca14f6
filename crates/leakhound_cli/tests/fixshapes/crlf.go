package fixshapes

import "context"

// CRLF is a file with Windows line endings.
func CRLF(parent context.Context) error {
	ctx, _ := context.WithCancel(parent)
	return ctx.Err()
}
