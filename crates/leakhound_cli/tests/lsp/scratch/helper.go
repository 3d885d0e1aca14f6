package scratch

import "context"

func use(ctx context.Context) error { return ctx.Err() }
