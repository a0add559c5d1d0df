//go:build !linux

package main

import (
	"os"
	"syscall"
	"time"
)

// sysProcAttr: only Linux can tie a child's life to its parent's.
func sysProcAttr() *syscall.SysProcAttr { return nil }

// selfCPU is unknown here.
func selfCPU() (time.Duration, bool) { return 0, false }

// childUsage is unknown here: the table leaves memory and CPU out.
func childUsage(*os.ProcessState) (int64, time.Duration, bool) { return 0, 0, false }
