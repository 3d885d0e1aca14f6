package main

import (
	"context"
	"errors"
	"time"
)

var errGaveUp = errors.New("gave up after retries")

// ChargeWithRetry is the post-mortem's own "fix": a deadline per attempt whose cancel func is
// discarded, so every attempt leaves a context and its timer linked into ctx.
func (s *Service) ChargeWithRetry(ctx context.Context, o Order) error {
	for attempt := 0; attempt < 3; attempt++ {
		attemptCtx, _ := context.WithTimeout(ctx, time.Second)
		if err := s.gateway.Charge(attemptCtx, o); err == nil {
			return nil
		}
	}
	return errGaveUp
}

// ChargeWithRetryDeferred cancels, but with defer inside the loop: every attempt's context
// stays alive until the function returns.
func (s *Service) ChargeWithRetryDeferred(ctx context.Context, o Order) error {
	for attempt := 0; attempt < 3; attempt++ {
		attemptCtx, cancel := context.WithTimeout(ctx, time.Second)
		defer cancel()
		if err := s.gateway.Charge(attemptCtx, o); err == nil {
			return nil
		}
	}
	return errGaveUp
}

// ChargeWithRetryFixed releases each attempt's context as soon as the attempt is over.
func (s *Service) ChargeWithRetryFixed(ctx context.Context, o Order) error {
	for attempt := 0; attempt < 3; attempt++ {
		attemptCtx, cancel := context.WithTimeout(ctx, time.Second)
		err := s.gateway.Charge(attemptCtx, o)
		cancel()
		if err == nil {
			return nil
		}
	}
	return errGaveUp
}

// Refund has one deadline for the whole call; its cancel func is discarded.
func (s *Service) Refund(ctx context.Context, o Order) error {
	ctx, _ = context.WithTimeout(ctx, chargeTimeout)
	return s.gateway.Charge(ctx, Order{ID: o.ID, Amount: -o.Amount})
}

// RefundFixed names the cancel func and defers it.
func (s *Service) RefundFixed(ctx context.Context, o Order) error {
	ctx, cancel := context.WithTimeout(ctx, chargeTimeout)
	defer cancel()
	return s.gateway.Charge(ctx, Order{ID: o.ID, Amount: -o.Amount})
}
