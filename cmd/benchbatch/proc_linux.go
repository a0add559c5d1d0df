package main

import (
	"os"
	"syscall"
	"time"
)

// sysProcAttr makes a child receive SIGTERM when the benchmark dies
// without waiting for it (SIGKILL, a crash), so no job outlives a run.
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGTERM}
}

// selfCPU is the user and system time this process has used.
func selfCPU() (time.Duration, bool) {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0, false
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()), true
}

// childUsage is a finished child's peak resident memory in bytes (Linux
// counts Maxrss in KiB) and its user and system time.
func childUsage(ps *os.ProcessState) (maxRSS int64, cpu time.Duration, ok bool) {
	ru, ok := ps.SysUsage().(*syscall.Rusage)
	if !ok || ru == nil {
		return 0, 0, false
	}
	return ru.Maxrss << 10, time.Duration(ru.Utime.Nano() + ru.Stime.Nano()), true
}
