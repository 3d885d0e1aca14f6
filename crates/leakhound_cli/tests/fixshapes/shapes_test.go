package fixshapes

import (
	"context"
	"testing"
	"time"
)

// After --fix every function still does what it did: no caller receives a cancelled context.
func TestBehaviourKept(t *testing.T) {
	bg := context.Background()
	for name, err := range map[string]error{
		"Plain": Plain(bg), "Reassigned": Reassigned(bg), "Cause": Cause(bg),
		"TimeoutCause": TimeoutCause(bg), "DeadlineCause": DeadlineCause(bg), "Var": Var(bg),
		"OneLineLiteral": OneLineLiteral(bg), "Literal": Literal(bg), "CRLF": CRLF(bg), "Two": Two(bg),
	} {
		if err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
	if !IfInit(bg) || !IfElse(bg) {
		t.Error("if shapes: context cancelled")
	}
	if Derived(bg) != 0 {
		t.Error("Derived")
	}
	if Loop(bg, 3) != 3 {
		t.Error("Loop: a context was cancelled inside the iteration")
	}
}

func TestReturnedContextsAreNotCancelled(t *testing.T) {
	bg := context.Background()
	if err := Returned(bg).Err(); err != nil {
		t.Errorf("Returned: %v", err)
	}
	if err := ReturnedWrapped(bg).Ctx.Err(); err != nil {
		t.Errorf("ReturnedWrapped: %v", err)
	}
	var h Holder
	Stored(bg, &h)
	if err := h.Ctx.Err(); err != nil {
		t.Errorf("Stored: %v", err)
	}
	out := make(chan context.Context, 1)
	Sent(bg, out)
	if err := (<-out).Err(); err != nil {
		t.Errorf("Sent: %v", err)
	}
	done := make(chan error, 1)
	Goroutine(bg, done)
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Goroutine: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Error("Goroutine: no result")
	}
	var later func() error
	Callback(bg, func(f func() error) { later = f })
	if err := later(); err != nil {
		t.Errorf("Callback: %v", err)
	}
}
