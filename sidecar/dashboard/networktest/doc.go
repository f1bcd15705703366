// Package networktest holds the dashboard's handler test against an in-process
// chain. It is a package of its own so that the dashboard's fast tests do not link
// the whole app (a link costs ~1.5 GB and 10–20 s on 2 cores).
package networktest
