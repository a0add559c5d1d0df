// Package benchenv reads the facts about the machine that a benchmark
// report states beside its figures, so that they can be compared and
// repeated.
package benchenv

import (
	"os"
	"os/exec"
	"runtime"
	"strings"
	"time"
)

// Machine is what a report says about where it was measured.
type Machine struct {
	CPUs       int
	GOMAXPROCS int
	Nproc      string // `nproc`, empty when it could not run
	LoadAvg    string // /proc/loadavg when read, empty without /proc
	CPUModel   string
	GoVersion  string
	Revision   string // `git describe` of the working tree, empty outside one
	When       time.Time
}

// Read reads the machine's facts now.
func Read() Machine {
	m := Machine{CPUs: runtime.NumCPU(), GOMAXPROCS: runtime.GOMAXPROCS(0),
		GoVersion: runtime.Version() + " " + runtime.GOOS + "/" + runtime.GOARCH, When: time.Now().UTC()}
	if out, err := exec.Command("nproc").Output(); err == nil {
		m.Nproc = strings.TrimSpace(string(out))
	}
	if out, err := exec.Command("git", "describe", "--always", "--dirty").Output(); err == nil {
		m.Revision = strings.TrimSpace(string(out))
	}
	if data, err := os.ReadFile("/proc/loadavg"); err == nil {
		if f := strings.Fields(string(data)); len(f) >= 3 {
			m.LoadAvg = strings.Join(f[:3], " ")
		}
	}
	if data, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for line := range strings.Lines(string(data)) {
			if name, value, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(name) == "model name" {
				m.CPUModel = strings.TrimSpace(value)
				break
			}
		}
	}
	return m
}
