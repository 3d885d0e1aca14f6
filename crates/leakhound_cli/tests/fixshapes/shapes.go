// Package fixshapes holds every shape of LH201 (a discarded cancel func) that `--fix` meets.
// The end-to-end test fixes a copy, then builds, vets and tests it: the safe shapes must get
// `defer cancel()`, the others must be left alone so that no caller gets a cancelled context.
package fixshapes

import (
	"context"
	"errors"
	"time"
)

// Safe: the context is used only inside the function.

func Plain(parent context.Context) error {
	ctx, _ := context.WithTimeout(parent, time.Second)
	return ctx.Err()
}

func Reassigned(ctx context.Context) error {
	ctx, _ = context.WithTimeout(ctx, time.Second) // the parameter itself
	return ctx.Err()
}

func Cause(parent context.Context) error {
	ctx, _ := context.WithCancelCause(parent)
	return ctx.Err()
}

func TimeoutCause(parent context.Context) error {
	ctx, _ := context.WithTimeoutCause(parent, time.Second, errors.New("slow"))
	return ctx.Err()
}

func DeadlineCause(parent context.Context) error {
	ctx, _ := context.WithDeadlineCause(parent, time.Now().Add(time.Second), errors.New("late"))
	return ctx.Err()
}

func Var(parent context.Context) error {
	var ctx, _ = context.WithCancel(parent)
	return ctx.Err()
}

func OneLineLiteral(parent context.Context) error {
	f := func() error { ctx, _ := context.WithCancel(parent); return ctx.Err() }
	return f()
}

func Literal(parent context.Context) error {
	return func() error {
		ctx, _ := context.WithCancel(parent)
		return ctx.Err()
	}()
}

func IfInit(parent context.Context) bool {
	if ctx, _ := context.WithCancel(parent); ctx.Err() == nil {
		return true
	}
	return false
}

func Derived(parent context.Context) int {
	ctx, _ := context.WithCancel(parent)
	done := ctx.Done()
	return cap(done)
}

// Not safe: the context outlives the function, or the cancel belongs elsewhere.

func Returned(parent context.Context) context.Context {
	ctx, _ := context.WithTimeout(parent, time.Hour)
	return ctx
}

func ReturnedWrapped(parent context.Context) *Holder {
	ctx, _ := context.WithTimeout(parent, time.Hour)
	return &Holder{Ctx: ctx}
}

type Holder struct{ Ctx context.Context }

func Stored(parent context.Context, h *Holder) {
	ctx, _ := context.WithCancel(parent)
	h.Ctx = ctx
}

func Sent(parent context.Context, out chan<- context.Context) {
	ctx, _ := context.WithCancel(parent)
	out <- ctx
}

func Goroutine(parent context.Context, done chan<- error) {
	ctx, _ := context.WithCancel(parent)
	go func() {
		time.Sleep(10 * time.Millisecond)
		done <- ctx.Err()
	}()
}

func Callback(parent context.Context, register func(func() error)) {
	ctx, _ := context.WithCancel(parent)
	register(func() error { return ctx.Err() })
}

func Loop(parent context.Context, n int) (live int) {
	for i := 0; i < n; i++ {
		ctx, _ := context.WithCancel(parent)
		if ctx.Err() == nil {
			live++
		}
	}
	return live
}

func IfElse(parent context.Context) bool {
	if ctx, _ := context.WithCancel(parent); ctx.Err() == nil {
		return true
	} else {
		return false
	}
}

// Safe again: two fixes in one function get two names (one is a CancelCauseFunc).

func Two(parent context.Context) error {
	a, _ := context.WithCancelCause(parent)
	b, _ := context.WithCancel(a)
	return b.Err()
}
