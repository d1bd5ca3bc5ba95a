package exposure

import (
	"math"
	"slices"

	"github.com/onet-jury/jury/jury"
)

// Training defaults, chosen by grouped 5-fold cross-validation (doc.go).
const (
	defaultL2      = 3e-3
	defaultMinDF   = 2
	defaultMaxIter = 300
	defaultSkew    = 1    // penalty relief for class-skewed features
	defaultNBMix   = 0.15 // share of naive Bayes in the final weights
	defaultCalib   = 5    // folds of the calibration's inner cross-validation
	nbAlpha        = 1    // add-one smoothing of the naive Bayes counts
)

// TrainOptions tunes Train. The zero value gives the defaults doc.go
// reports; a field left zero keeps its default.
type TrainOptions struct {
	// L2 is the ridge penalty λ in mean log-loss + λ/2·‖w‖² (the biases
	// are not penalised).
	L2 float64
	// MinDF drops features seen in fewer than MinDF training tasks: they
	// cannot generalise and would bloat the weights file.
	MinDF int
	// MaxIter bounds the L-BFGS iterations.
	MaxIter int

	// The experiments in this package's tests vary the rest; a negative
	// value turns a step off.
	features *featureSet // nil means defaultFeatures
	skew     float64     // exponent of the naive Bayes penalty relief
	nbMix    float64     // share of naive Bayes weights
	calib    int         // folds of the calibration's cross-validation
}

func (o TrainOptions) withDefaults() TrainOptions {
	if o.L2 <= 0 {
		o.L2 = defaultL2
	}
	if o.MinDF <= 0 {
		o.MinDF = defaultMinDF
	}
	if o.MaxIter <= 0 {
		o.MaxIter = defaultMaxIter
	}
	if o.features == nil {
		fs := defaultFeatures
		o.features = &fs
	}
	if o.skew == 0 {
		o.skew = defaultSkew
	}
	if o.nbMix == 0 {
		o.nbMix = defaultNBMix
	}
	if o.calib == 0 {
		o.calib = defaultCalib
	}
	return o
}

// design is a training set turned into sparse rows: the columns are the
// features seen in at least MinDF tasks, in sorted order.
type design struct {
	names []string    // feature names; column j is names[j]
	rows  [][]int32   // each example's active columns
	vals  [][]float64 // their values
	y     []int       // each example's class
}

func newDesign(examples []Example, fs featureSet, minDF int) design {
	feats := make([][]string, len(examples))
	df := map[string]int{}
	for i, ex := range examples {
		feats[i] = fs.features(ex.Code, ex.Title, ex.Type, ex.Text, nil)
		for _, f := range feats[i] {
			df[f]++
		}
	}
	var names []string
	for f, n := range df {
		if n >= minDF {
			names = append(names, f)
		}
	}
	slices.Sort(names) // fixes the column order whatever the map's order
	col := make(map[string]int32, len(names))
	for j, f := range names {
		col[f] = int32(j)
	}
	d := design{names: names, rows: make([][]int32, len(examples)), vals: make([][]float64, len(examples)), y: make([]int, len(examples))}
	for i, ex := range examples {
		for _, f := range feats[i] {
			if j, ok := col[f]; ok {
				d.rows[i] = append(d.rows[i], j)
				d.vals[i] = append(d.vals[i], fs.value(f))
			}
		}
		d.y[i], _ = labelIndex(ex.Label)
	}
	return d
}

// Train fits the exposure model to examples: a multinomial logistic
// regression fitted by L-BFGS on the L2-penalised mean log-loss, with the
// penalty relieved on features naive Bayes finds class-skewed, and its
// weights blended with naive Bayes log-probabilities (an NBSVM-style
// interpolation; doc.go says why). It then calibrates the model: a grouped
// 5-fold cross-validation on the same examples measures how far the
// held-out occupations' mean Score runs from their human labels', and one
// shift of the E1 and E2 logits, folded into the biases, removes that
// bias. It is deterministic: the same examples in the same order give a
// model whose Marshal output is byte-identical.
func Train(examples []Example, opts TrainOptions) *Model {
	opts = opts.withDefaults()
	m := fit(examples, opts)
	if opts.calib < 2 || len(examples) == 0 {
		return m
	}
	probs := crossPredict(examples, opts.calib, func(train []Example) predictor { return fit(train, opts) })
	shift := calibrationShift(examples, probs)
	m.meta.Calibration = quantize(shift)
	m.bias[1] = quantize(m.bias[1] + m.meta.Calibration)
	m.bias[2] = quantize(m.bias[2] + m.meta.Calibration)
	return m.mustSeal()
}

// fit is Train without the calibration.
func fit(examples []Example, opts TrainOptions) *Model {
	fs := *opts.features
	d := newDesign(examples, fs, opts.MinDF)
	nf := len(d.names)
	m := &Model{
		features: fs,
		weights:  make(map[string][3]float64, nf),
		meta: trainMeta{
			Examples: len(examples), L2: opts.L2, MinDF: opts.MinDF,
			Skew: max(opts.skew, 0), NBMix: max(opts.nbMix, 0),
		},
	}
	if len(examples) == 0 {
		return m.mustSeal()
	}
	nb := d.naiveBayes(nbAlpha)
	// Scaling a column by s divides its effective penalty by s²: features
	// whose class-conditional frequencies differ a lot keep larger weights.
	colScale := make([]float64, nf)
	for j := range colScale {
		colScale[j] = 1
		if opts.skew > 0 {
			w := nb[3*j : 3*j+3]
			colScale[j] = math.Pow(1+max(w[0], w[1], w[2])-min(w[0], w[1], w[2]), opts.skew)
		}
	}
	for i, row := range d.rows {
		for k, j := range row {
			d.vals[i][k] *= colScale[j]
		}
	}
	x := make([]float64, 3*nf+3) // weights by column then class; biases last
	minimizeLBFGS(func(x, g []float64) float64 { return d.loss(x, g, opts.L2) }, x, opts.MaxIter)

	// Fold the column scales and group values into the weights, so a
	// prediction is a plain sum over the features present, then blend.
	mix := max(opts.nbMix, 0)
	for j, name := range d.names {
		v := fs.value(name)
		var w [3]float64
		for c := range 3 {
			w[c] = quantize((1-mix)*x[3*j+c]*colScale[j]*v + mix*nb[3*j+c])
		}
		if w != [3]float64{} {
			m.weights[name] = w
		}
	}
	for c := range 3 {
		m.bias[c] = quantize((1-mix)*x[3*nf+c] + mix*nb[3*nf+c])
	}
	return m.mustSeal()
}

// calibrationShift returns the δ that, added to the E1 and E2 logits of
// every prediction, makes the mean over occupations of the core-weighted
// mean of P(E1)+P(E2) equal the same mean of the human labels (1 for E1
// or E2, 0 for E0). Score is proportional to P(E1)+P(E2), so that is the
// headline bias of Score removed. The mean is monotone in δ: bisection on
// [-3, 3] finds it, and a target no shift can reach (every label E0, or
// none) gets the nearest end.
func calibrationShift(examples []Example, probs []Probs) float64 {
	type task struct{ w, p float64 }
	type occupation struct {
		tasks         []task
		weight, truth float64
	}
	occ := map[string]*occupation{}
	for i, ex := range examples {
		o := occ[ex.Code]
		if o == nil {
			o = &occupation{}
			occ[ex.Code] = o
		}
		w := coreWeight(ex.Type)
		c, _ := labelIndex(ex.Label)
		o.tasks = append(o.tasks, task{w, probs[i].Exposed()})
		o.weight += w
		if c > 0 {
			o.truth += w
		}
	}
	codes := occupationCodes(examples)
	bias := func(delta float64) float64 {
		e := math.Exp(delta)
		sum := 0.0
		for _, c := range codes {
			o := occ[c]
			s := 0.0
			for _, t := range o.tasks {
				s += t.w * t.p * e / (1 - t.p + t.p*e)
			}
			sum += (s - o.truth) / o.weight
		}
		return sum / float64(len(codes))
	}
	lo, hi := -3.0, 3.0
	for range 60 {
		mid := (lo + hi) / 2
		if bias(mid) > 0 {
			hi = mid
		} else {
			lo = mid
		}
	}
	return (lo + hi) / 2
}

// coreWeight is a task's weight in an occupation's headline: core tasks
// count twice, as jury.TaskType.Weight has it.
func coreWeight(taskType string) float64 {
	if t, err := jury.ParseTaskType(taskType); err == nil {
		return float64(t.Weight())
	}
	return 1
}

// mustSeal seals a freshly trained model; its weights are finite unless
// the optimiser is broken.
func (m *Model) mustSeal() *Model {
	m, err := m.seal()
	if err != nil {
		panic("exposure: training produced a broken model: " + err.Error())
	}
	return m
}

// naiveBayes returns multinomial naive Bayes log-probabilities over the
// design's binary features with add-alpha smoothing, laid out like the
// regression's parameters (weights by column then class, biases last) and
// centred over the classes, which changes no prediction.
func (d design) naiveBayes(alpha float64) []float64 {
	nf := len(d.names)
	out := make([]float64, 3*nf+3)
	var total, prior [3]float64
	for i, row := range d.rows {
		c := d.y[i]
		prior[c]++
		for _, j := range row {
			out[3*int(j)+c]++
			total[c]++
		}
	}
	centre := func(lp [3]float64, dst []float64) {
		mean := (lp[0] + lp[1] + lp[2]) / 3
		for c := range 3 {
			dst[c] = lp[c] - mean
		}
	}
	for j := range nf {
		var lp [3]float64
		for c := range 3 {
			lp[c] = math.Log((out[3*j+c] + alpha) / (total[c] + alpha*float64(nf)))
		}
		centre(lp, out[3*j:3*j+3])
	}
	var lp [3]float64
	for c := range 3 {
		lp[c] = math.Log((prior[c] + 1) / (float64(len(d.rows)) + 3))
	}
	centre(lp, out[3*nf:])
	return out
}

// loss returns the penalised mean log-loss at x and writes its gradient
// to g.
func (d design) loss(x, g []float64, l2 float64) float64 {
	nf := len(d.names)
	clear(g)
	inv := 1 / float64(len(d.rows))
	total := 0.0
	for i, row := range d.rows {
		vals := d.vals[i]
		z := [3]float64{x[3*nf], x[3*nf+1], x[3*nf+2]}
		for k, j := range row {
			v := vals[k]
			z[0] += v * x[3*j]
			z[1] += v * x[3*j+1]
			z[2] += v * x[3*j+2]
		}
		p := softmax(z)
		total -= math.Log(max(p[d.y[i]], 1e-300))
		p[d.y[i]]--
		for c := range 3 {
			p[c] *= inv
			g[3*nf+c] += p[c]
		}
		for k, j := range row {
			v := vals[k]
			g[3*j] += v * p[0]
			g[3*j+1] += v * p[1]
			g[3*j+2] += v * p[2]
		}
	}
	f := total * inv
	for k := range 3 * nf {
		f += 0.5 * l2 * x[k] * x[k]
		g[k] += l2 * x[k]
	}
	return f
}

// minimizeLBFGS minimises a smooth convex function from x in place with
// limited-memory BFGS and a backtracking (Armijo) line search. fg returns
// f(x) and writes ∇f(x) to g. Every step is a fixed sequence of float
// operations, so the result is reproducible bit for bit.
func minimizeLBFGS(fg func(x, g []float64) float64, x []float64, maxIter int) {
	const (
		memory = 10
		armijo = 1e-4
		gtol   = 1e-6
		ftol   = 1e-10
	)
	n := len(x)
	g := make([]float64, n)
	fx := fg(x, g)
	var ss, ys [][]float64
	var rhos []float64
	d := make([]float64, n)
	xn := make([]float64, n)
	gn := make([]float64, n)
	alpha := make([]float64, memory)
	for range maxIter {
		gnorm := math.Sqrt(dot(g, g))
		if gnorm < gtol {
			return
		}
		// Two-loop recursion: d = -H·g.
		for k := range d {
			d[k] = -g[k]
		}
		for k := len(ss) - 1; k >= 0; k-- {
			alpha[k] = rhos[k] * dot(ss[k], d)
			axpy(-alpha[k], ys[k], d)
		}
		step := 1.0
		if last := len(ss) - 1; last >= 0 {
			scale(dot(ss[last], ys[last])/dot(ys[last], ys[last]), d)
		} else {
			step = 1 / gnorm
		}
		for k := range ss {
			beta := rhos[k] * dot(ys[k], d)
			axpy(alpha[k]-beta, ss[k], d)
		}
		dg := dot(d, g)
		if dg >= 0 { // not a descent direction: restart from steepest descent
			ss, ys, rhos = nil, nil, nil
			for k := range d {
				d[k] = -g[k]
			}
			dg = -gnorm * gnorm
			step = 1 / gnorm
		}
		var fn float64
		accepted := false
		for range 50 {
			for k := range x {
				xn[k] = x[k] + step*d[k]
			}
			fn = fg(xn, gn)
			if fn <= fx+armijo*step*dg {
				accepted = true
				break
			}
			step /= 2
		}
		if !accepted {
			return
		}
		s := make([]float64, n)
		y := make([]float64, n)
		for k := range s {
			s[k] = xn[k] - x[k]
			y[k] = gn[k] - g[k]
		}
		if sy := dot(s, y); sy > 1e-12 {
			if len(ss) == memory {
				ss, ys, rhos = ss[1:], ys[1:], rhos[1:]
			}
			ss, ys, rhos = append(ss, s), append(ys, y), append(rhos, 1/sy)
		}
		done := fx-fn <= ftol*max(1, math.Abs(fx))
		copy(x, xn)
		copy(g, gn)
		fx = fn
		if done {
			return
		}
	}
}

func dot(a, b []float64) float64 {
	s := 0.0
	for k := range a {
		s += a[k] * b[k]
	}
	return s
}

func axpy(a float64, x, y []float64) {
	for k := range x {
		y[k] += a * x[k]
	}
}

func scale(a float64, x []float64) {
	for k := range x {
		x[k] *= a
	}
}
