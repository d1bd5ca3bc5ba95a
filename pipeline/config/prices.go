package config

import (
	"encoding/json"
	"os"

	"github.com/onet-jury/jury/jury"
	"github.com/onet-jury/jury/pipeline/llm"
)

// ReadPrices reads a JSON file of prices, {"model": {"input": USD per
// million tokens, "output": …}}, into into, over what it holds. A
// missing or malformed file, or a negative price, is an error naming the
// file (--prices).
func ReadPrices(path string, into llm.Prices) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return jury.Invalidf("--prices %s: %v", path, err)
	}
	var p llm.Prices
	if err := json.Unmarshal(data, &p); err != nil {
		return jury.Invalidf("--prices %s: %v (want {\"model\": {\"input\": 0.15, \"output\": 0.6}})", path, err)
	}
	for k, v := range p {
		if v.Input < 0 || v.Output < 0 || v.Cached < 0 {
			return jury.Invalidf("--prices %s: %s has a negative price", path, k)
		}
		into[k] = v
	}
	return nil
}
