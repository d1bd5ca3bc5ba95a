package openaitest

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

// batchAPI is the server's Files and Batches state: uploaded files by ID,
// batches by ID, and counters for tests.
type batchAPI struct {
	files   map[string][]byte
	batches map[string]*batchJob
	seq     int
	lines   int
	created int
	// polls is how many status checks a batch answers "in_progress"
	// before it completes.
	polls int
	// tokenLimit is the enqueued-token limit (WithEnqueuedTokenLimit);
	// 0 is none.
	tokenLimit int
	refused    int
}

type batchJob struct {
	ID, InputFileID, Status string
	// Tokens are the prompt tokens of the batch's lines, what counts
	// against the enqueued-token limit while it runs.
	Tokens int
	// ErrCode and ErrMessage say why a failed batch failed.
	ErrCode, ErrMessage     string
	Polls                   int
	OutputFileID, ErrorFile string
	Total, Completed, Fail  int
	Created                 int64
}

// WithBatchPolls makes every batch report in_progress for n status checks
// before it completes (default 1).
func WithBatchPolls(n int) Option { return func(s *Server) { s.batchAPI.polls = n } }

// WithEnqueuedTokenLimit gives the server OpenAI's enqueued-token limit
// per model: a batch whose lines' prompt tokens, with those of the
// batches still validating or in progress, come to more than n ends
// "failed" with token_limit_exceeded, as the real API does.
func WithEnqueuedTokenLimit(n int) Option { return func(s *Server) { s.batchAPI.tokenLimit = n } }

// BatchesRefused returns how many batches failed for the enqueued-token
// limit.
func (s *Server) BatchesRefused() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.batchAPI.refused
}

// BatchLines returns how many batch request lines the server has run.
func (s *Server) BatchLines() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.batchAPI.lines
}

// BatchesCreated returns how many batches were created.
func (s *Server) BatchesCreated() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.batchAPI.created
}

func (b *batchAPI) init() {
	if b.files == nil {
		b.files, b.batches = map[string][]byte{}, map[string]*batchJob{}
		if b.polls == 0 {
			b.polls = 1
		}
	}
}

// serveBatchAPI answers POST /v1/files, GET /v1/files/{id}/content,
// POST /v1/batches and GET /v1/batches/{id} like the real API.
func (s *Server) serveBatchAPI(w http.ResponseWriter, r *http.Request, body []byte) {
	if r.Header.Get("Authorization") == "" {
		writeError(w, http.StatusUnauthorized, "invalid_request_error", "missing_api_key", "You didn't provide an API key.")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	b := &s.batchAPI
	b.init()
	path := strings.TrimSuffix(r.URL.Path, "/")
	switch {
	case r.Method == http.MethodPost && path == "/v1/files":
		r.Body = io.NopCloser(bytes.NewReader(body))
		if err := r.ParseMultipartForm(64 << 20); err != nil {
			writeError(w, http.StatusBadRequest, "invalid_request_error", "", "Could not parse multipart form: "+err.Error())
			return
		}
		f, hdr, err := r.FormFile("file")
		if err != nil || r.FormValue("purpose") != "batch" {
			writeError(w, http.StatusBadRequest, "invalid_request_error", "", "'file' and purpose 'batch' are required.")
			return
		}
		data, _ := io.ReadAll(f)
		b.seq++
		id := fmt.Sprintf("file-%04d", b.seq)
		b.files[id] = data
		writeJSON(w, map[string]any{"id": id, "object": "file", "bytes": len(data), "created_at": 1767225600,
			"filename": hdr.Filename, "purpose": "batch", "status": "processed"})
	case r.Method == http.MethodGet && strings.HasPrefix(path, "/v1/files/") && strings.HasSuffix(path, "/content"):
		id := strings.TrimSuffix(strings.TrimPrefix(path, "/v1/files/"), "/content")
		data, ok := b.files[id]
		if !ok {
			writeError(w, http.StatusNotFound, "invalid_request_error", "", "No such File object: "+id)
			return
		}
		w.Header().Set("Content-Type", "application/octet-stream")
		w.Write(data)
	case r.Method == http.MethodPost && path == "/v1/batches":
		var req struct {
			InputFileID      string `json:"input_file_id"`
			Endpoint         string `json:"endpoint"`
			CompletionWindow string `json:"completion_window"`
		}
		if err := json.Unmarshal(body, &req); err != nil || req.Endpoint != "/v1/chat/completions" || req.CompletionWindow != "24h" {
			writeError(w, http.StatusBadRequest, "invalid_request_error", "", "endpoint must be /v1/chat/completions and completion_window 24h")
			return
		}
		if _, ok := b.files[req.InputFileID]; !ok {
			writeError(w, http.StatusBadRequest, "invalid_request_error", "", "No such File object: "+req.InputFileID)
			return
		}
		b.seq++
		b.created++
		job := &batchJob{ID: fmt.Sprintf("batch_%04d", b.seq), InputFileID: req.InputFileID, Status: "validating", Created: time.Now().Unix(),
			Tokens: fileTokens(b.files[req.InputFileID])}
		b.batches[job.ID] = job
		if enqueued := b.enqueued(); b.tokenLimit > 0 && enqueued > b.tokenLimit {
			b.refused++
			job.Status, job.ErrCode = "failed", "token_limit_exceeded"
			job.ErrMessage = fmt.Sprintf("Enqueued token limit reached for gpt-4o-mini in organization org-test. Limit: %d enqueued tokens. Please try again once some in_progress batches have been completed.", b.tokenLimit)
		}
		writeJSON(w, job.json())
	case r.Method == http.MethodGet && strings.HasPrefix(path, "/v1/batches/"):
		job, ok := b.batches[strings.TrimPrefix(path, "/v1/batches/")]
		if !ok {
			writeError(w, http.StatusNotFound, "invalid_request_error", "", "No such Batch object")
			return
		}
		job.Polls++
		switch {
		case job.Status == "completed" || job.Status == "failed":
		case job.Polls > b.polls:
			s.runBatch(job)
		default:
			job.Status = "in_progress"
		}
		writeJSON(w, job.json())
	default:
		writeError(w, http.StatusNotFound, "invalid_request_error", "unknown_url", fmt.Sprintf("Invalid URL (%s %s)", r.Method, r.URL.Path))
	}
}

// enqueued sums the tokens of the batches still validating or running.
func (b *batchAPI) enqueued() int {
	n := 0
	for _, j := range b.batches {
		if j.Status == "validating" || j.Status == "in_progress" {
			n += j.Tokens
		}
	}
	return n
}

// fileTokens counts the prompt tokens of a batch input file's lines.
func fileTokens(data []byte) int {
	n := 0
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(nil, 64<<20)
	for sc.Scan() {
		var line struct {
			Body ChatRequest `json:"body"`
		}
		if json.Unmarshal(sc.Bytes(), &line) == nil {
			for _, m := range line.Body.Messages {
				n += tokens(m.Content) + 4
			}
		}
	}
	return n
}

// runBatch answers every line of a batch's input file; s.mu is held.
func (s *Server) runBatch(job *batchJob) {
	b := &s.batchAPI
	var out, errs bytes.Buffer
	sc := bufio.NewScanner(bytes.NewReader(b.files[job.InputFileID]))
	sc.Buffer(nil, 64<<20)
	lines := 0
	for sc.Scan() {
		lines++
		var line struct {
			CustomID string      `json:"custom_id"`
			Body     ChatRequest `json:"body"`
		}
		if err := json.Unmarshal(sc.Bytes(), &line); err != nil || line.CustomID == "" {
			job.Status, job.ErrCode = "failed", "invalid_file"
			return
		}
		b.lines++
		job.Total++
		fault := s.script.Pick(b.lines, line.Body)
		status, respBody := s.batchLineAnswer(line.Body, b.lines, fault)
		entry := map[string]any{"id": fmt.Sprintf("batch_req_%06d", b.lines), "custom_id": line.CustomID,
			"response": map[string]any{"status_code": status, "request_id": fmt.Sprintf("req_%06d", b.lines), "body": respBody}, "error": nil}
		data, _ := json.Marshal(entry)
		if status == http.StatusOK {
			job.Completed++
			out.Write(append(data, '\n'))
		} else {
			job.Fail++
			errs.Write(append(data, '\n'))
		}
	}
	if lines > 50000 {
		job.Status, job.ErrCode = "failed", "invalid_file"
		return
	}
	if s.light {
		delete(b.files, job.InputFileID)
	}
	b.seq++
	job.OutputFileID = fmt.Sprintf("file-%04d", b.seq)
	b.files[job.OutputFileID] = out.Bytes()
	if errs.Len() > 0 {
		b.seq++
		job.ErrorFile = fmt.Sprintf("file-%04d", b.seq)
		b.files[job.ErrorFile] = errs.Bytes()
	}
	job.Status = "completed"
}

// batchLineAnswer is what one batch line gets: a completion, or the error
// body a synchronous call with the same fault would get.
func (s *Server) batchLineAnswer(c ChatRequest, n int, fault Fault) (int, any) {
	apiErr := func(status int, typ, code, msg string) (int, any) {
		var cd any
		if code != "" {
			cd = code
		}
		return status, map[string]any{"error": map[string]any{"message": msg, "type": typ, "param": nil, "code": cd}}
	}
	switch fault.Name {
	case ServerError.Name, Unavailable.Name, Reset.Name, Hang.Name, MalformedBody.Name:
		return apiErr(500, "server_error", "", "The server had an error while processing your request.")
	case Quota.Name:
		return apiErr(429, "insufficient_quota", "insufficient_quota", "You exceeded your current quota.")
	case BadRequest.Name:
		return apiErr(400, "invalid_request_error", "invalid_value", "Invalid request.")
	}
	content, err := s.answer(c)
	if err != nil {
		return apiErr(400, "invalid_request_error", "", err.Error())
	}
	content, finish, refusal := fault.mangle(content)
	rec := &recorder{header: http.Header{}}
	writeCompletion(rec, c, n, content, refusal, finish, limitHeaders{limit: 10000, remaining: -1, reset: 6 * time.Millisecond})
	var body any
	json.Unmarshal(rec.body.Bytes(), &body)
	return http.StatusOK, body
}

func (j *batchJob) json() map[string]any {
	m := map[string]any{"id": j.ID, "object": "batch", "endpoint": "/v1/chat/completions", "errors": nil,
		"input_file_id": j.InputFileID, "completion_window": "24h", "status": j.Status,
		"output_file_id": nil, "error_file_id": nil, "created_at": j.Created,
		"request_counts": map[string]int{"total": j.Total, "completed": j.Completed, "failed": j.Fail}}
	if j.OutputFileID != "" {
		m["output_file_id"] = j.OutputFileID
	}
	if j.ErrorFile != "" {
		m["error_file_id"] = j.ErrorFile
	}
	if j.Status == "failed" {
		msg := j.ErrMessage
		if msg == "" {
			msg = "The input file is not valid JSONL of at most 50,000 requests."
		}
		m["errors"] = map[string]any{"object": "list", "data": []any{map[string]any{"code": j.ErrCode, "message": msg}}}
	}
	return m
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(v)
}

// recorder is a minimal http.ResponseWriter that keeps what is written.
type recorder struct {
	header http.Header
	body   bytes.Buffer
}

func (r *recorder) Header() http.Header         { return r.header }
func (r *recorder) Write(p []byte) (int, error) { return r.body.Write(p) }
func (r *recorder) WriteHeader(int)             {}
