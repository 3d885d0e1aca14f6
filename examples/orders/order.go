package main

import (
	"context"
	"time"
)

type Order struct {
	ID     int
	Amount int
}

type Result struct {
	OrderID int
	Err     error
}

type Gateway interface {
	Charge(ctx context.Context, o Order) error
}

// Process charges the order in the background. The result channel is unbuffered: when the
// caller stops waiting (its timeout won), the goroutine blocks on the send forever. This is
// the incident's real leak: one goroutine per timed-out order.
func (s *Service) Process(o Order) <-chan Result {
	done := make(chan Result)
	go func() {
		err := s.gateway.Charge(context.Background(), o)
		done <- Result{OrderID: o.ID, Err: err}
	}()
	return done
}

// ProcessFixed is Process with room for the one result, so the goroutine can always finish.
func (s *Service) ProcessFixed(o Order) <-chan Result {
	done := make(chan Result, 1)
	go func() {
		err := s.gateway.Charge(context.Background(), o)
		done <- Result{OrderID: o.ID, Err: err}
	}()
	return done
}

// chargeTimeout bounds one charge attempt.
const chargeTimeout = 5 * time.Second
