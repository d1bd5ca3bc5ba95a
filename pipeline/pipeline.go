// Package pipeline is where jury does its work; each concern is a
// subpackage, named for what it holds:
//
//   - llm: the Model interface, its errors, and the wrappers (Retry,
//     Limit, Meter, Store) that wrap any client; one subpackage per
//     provider;
//   - offline: the offline juror, a Model trained on the shared labels,
//     and its exposure model;
//   - deliberation: one verdict, from ballots to the foreperson's note;
//   - batch: many verdicts into one output directory, resumable;
//   - outdir: the output tree — report files, manifest, index, pages;
//   - config: jury.yaml, flag and environment precedence, the panel;
//   - render, onet, atomicfile: pages, O*NET input files, atomic writes.
//
// The package itself holds only the version recorded in provenance.
package pipeline

// Version is the pipeline's version, recorded in every report's
// provenance.
const Version = "0.1.0"
