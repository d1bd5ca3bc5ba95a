package batch

import "time"

// Pace is how fast the batch runs after elapsed: occupations ended per
// second, counting only those this run deliberated (not those already
// done), and the time left at that rate. ok is false until one has
// ended.
func (p Progress) Pace(elapsed time.Duration) (perSecond float64, left time.Duration, ok bool) {
	ran := p.Done + p.Failed - p.Skipped
	if elapsed <= 0 || ran <= 0 {
		return 0, 0, false
	}
	perSecond = float64(ran) / elapsed.Seconds()
	left = time.Duration(float64(p.Total-p.Done-p.Failed) / perSecond * float64(time.Second))
	return perSecond, left.Round(time.Second), true
}
