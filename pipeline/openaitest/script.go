package openaitest

// Script is the fault plan of a test server, whatever protocol it speaks:
// queues of faults for the requests a Matcher selects, and a fallback by
// arrival number. F is the server's fault type, whose zero value answers
// normally. The zero value is an empty plan; it is not safe for
// concurrent use, so a server guards it with its own lock.
type Script[F any] struct {
	rules     []*scriptRule[F]
	every     func(n int) F
	byRequest func(c ChatRequest, attempt int) F
	seen      map[string]int
}

type scriptRule[F any] struct {
	match  Matcher
	faults []F
}

// Add queues faults for the requests match selects: the first matching
// request gets faults[0], the next faults[1], and so on. Queues are
// consulted in the order they were added.
func (s *Script[F]) Add(match Matcher, faults ...F) {
	s.rules = append(s.rules, &scriptRule[F]{match: match, faults: faults})
}

// Every sets the fault of requests no queue claims, by arrival number.
func (s *Script[F]) Every(f func(n int) F) { s.every = f }

// ByRequest sets the fault of requests no queue claims from the request
// itself and its attempt: how many identical requests came before it (0
// for the first). Unlike Every, such a plan gives every request the same
// fault whatever order concurrent requests arrive in, so a test built on
// it does not depend on timing. Uniform turns a request into a
// reproducible draw.
func (s *Script[F]) ByRequest(f func(c ChatRequest, attempt int) F) { s.byRequest = f }

// Pick returns the fault for the n-th request, c, taking it off its queue;
// the zero F when nothing is planned.
func (s *Script[F]) Pick(n int, c ChatRequest) F {
	for _, r := range s.rules {
		if len(r.faults) > 0 && r.match(c) {
			f := r.faults[0]
			r.faults = r.faults[1:]
			return f
		}
	}
	if s.byRequest != nil {
		if s.seen == nil {
			s.seen = map[string]int{}
		}
		key := c.Key()
		attempt := s.seen[key]
		s.seen[key]++
		return s.byRequest(c, attempt)
	}
	if s.every != nil {
		return s.every(n)
	}
	var none F
	return none
}

// Repeat returns n copies of f, for Script: "this juror's next n
// requests fail this way".
func Repeat[F any](f F, n int) []F {
	out := make([]F, n)
	for i := range out {
		out[i] = f
	}
	return out
}
