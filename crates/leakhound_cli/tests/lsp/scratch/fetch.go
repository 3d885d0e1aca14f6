package scratch

import (
	"context"
	"time"
)

func Fetch(parent context.Context) error {
	ctx, _ := context.WithTimeout(parent, time.Second)
	return use(ctx)
}
