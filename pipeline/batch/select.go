package batch

import (
	"bufio"
	"os"
	"slices"
	"strconv"
	"strings"

	"github.com/onet-jury/jury/jury"
)

// Select applies --only (comma-separated codes, or @FILE with one code a
// line and # comments) and --shard (i/n: every n-th code from the i-th)
// to the catalog's sorted codes. Bad values and an empty selection are
// jury.ErrInvalid errors naming the flag.
func Select(all []string, only, shard string) ([]string, error) {
	codes := all
	if only != "" {
		want, err := parseOnly(only)
		if err != nil {
			return nil, err
		}
		codes = nil
		for _, c := range want {
			if !slices.Contains(all, c) {
				return nil, jury.Invalidf("--only: occupation %s is not in the task file: check the code, or list the file's codes", c)
			}
			if !slices.Contains(codes, c) {
				codes = append(codes, c)
			}
		}
		slices.Sort(codes)
	}
	if shard != "" {
		i, n, err := parseShard(shard)
		if err != nil {
			return nil, err
		}
		var picked []string
		for k := i; k < len(codes); k += n {
			picked = append(picked, codes[k])
		}
		codes = picked
	}
	if len(codes) == 0 {
		return nil, jury.Invalidf("no occupation selected: check --only and --shard")
	}
	return codes, nil
}

// parseOnly reads --only.
func parseOnly(only string) ([]string, error) {
	var fields []string
	if path, ok := strings.CutPrefix(only, "@"); ok {
		f, err := os.Open(path)
		if err != nil {
			return nil, jury.Invalidf("--only %s: %v", only, err)
		}
		defer f.Close()
		sc := bufio.NewScanner(f)
		for line := 1; sc.Scan(); line++ {
			text, _, _ := strings.Cut(sc.Text(), "#")
			text = strings.TrimSpace(text)
			if text == "" {
				continue
			}
			if !jury.ValidCode(text) {
				return nil, jury.Invalidf("%s:%d: %q is not an O*NET-SOC code like 29-2072.00", path, line, text)
			}
			fields = append(fields, text)
		}
		if err := sc.Err(); err != nil {
			return nil, jury.Invalidf("--only %s: %v", only, err)
		}
		return fields, nil
	}
	for _, c := range strings.Split(only, ",") {
		c = strings.TrimSpace(c)
		if c == "" {
			continue
		}
		if !jury.ValidCode(c) {
			return nil, jury.Invalidf("--only: %q is not an O*NET-SOC code like 29-2072.00", c)
		}
		fields = append(fields, c)
	}
	return fields, nil
}

// parseShard reads --shard.
func parseShard(s string) (int, int, error) {
	a, b, ok := strings.Cut(s, "/")
	i, err1 := strconv.Atoi(a)
	n, err2 := strconv.Atoi(b)
	if !ok || err1 != nil || err2 != nil || n < 1 || i < 0 || i >= n {
		return 0, 0, jury.Invalidf("--shard %q: want i/n with 0 ≤ i < n, such as 0/4", s)
	}
	return i, n, nil
}
