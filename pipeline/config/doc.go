// Package config settles what a run is told: jury.yaml (with file:line in
// every message), the precedence of flags, environment, file and
// defaults as one table, the panel those describe, the one rule of when
// the offline juror answers, and the model stack built from all of it.
// Any front end (the jury command, a test) uses it the same way: bind
// flags to a Settings, Apply, Panel, Build.
package config
