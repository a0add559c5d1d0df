package main

import "syscall"

// sysProcAttr makes a server receive SIGTERM when the load test dies
// without stopping it (SIGKILL, a crash), so no server outlives a run.
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGTERM}
}
