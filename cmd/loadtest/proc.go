package main

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// proc is a server process the run started; its output goes to a log file
// in the temporary directory.
type proc struct {
	name    string
	cmd     *exec.Cmd
	logPath string
	done    chan struct{} // closed once Wait returned
	waitErr error         // Wait's error, set before done is closed
}

// start starts bin as a process named name (also its log file's name),
// which Close stops.
func (m *Main) start(name string, env []string, bin string, args ...string) (*proc, error) {
	logPath := filepath.Join(m.tmp, name+".log")
	f, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	defer f.Close() // the child has its own descriptor
	cmd := exec.Command(bin, args...)
	cmd.Env = env
	cmd.Stdout, cmd.Stderr = f, f
	cmd.SysProcAttr = sysProcAttr()
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	p := &proc{name: name, cmd: cmd, logPath: logPath, done: make(chan struct{})}
	go func() {
		p.waitErr = cmd.Wait()
		close(p.done)
	}()
	m.procs = append(m.procs, p)
	return p, nil
}

// pid is the process id, for reading its CPU time.
func (p *proc) pid() int { return p.cmd.Process.Pid }

// exited returns an error describing the exit when the process is gone.
func (p *proc) exited() error {
	select {
	case <-p.done:
		return fmt.Errorf("%s exited (%v); the end of its log:\n%s", p.name, p.waitErr, p.tail())
	default:
		return nil
	}
}

// stop sends SIGTERM and waits up to grace for the process to exit, then
// kills it. The servers shut down gracefully on SIGTERM, so an exit
// status other than success after it is reported.
func (p *proc) stop(grace time.Duration) error {
	select {
	case <-p.done:
		return nil // already gone: exited reported it, or ctrl-C reached it first
	default:
	}
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil && !errors.Is(err, os.ErrProcessDone) {
		return fmt.Errorf("stop %s: %w", p.name, err)
	}
	t := time.NewTimer(grace)
	defer t.Stop()
	select {
	case <-p.done:
		if p.waitErr != nil {
			return fmt.Errorf("%s stopped with %v; the end of its log:\n%s", p.name, p.waitErr, p.tail())
		}
		return nil
	case <-t.C:
		_ = p.cmd.Process.Kill()
		<-p.done
		return fmt.Errorf("%s did not stop within %s of SIGTERM and was killed", p.name, grace)
	}
}

// tail returns the last lines of the process's log.
func (p *proc) tail() string {
	data, err := os.ReadFile(p.logPath)
	if err != nil {
		return "(no log: " + err.Error() + ")"
	}
	lines := bytes.Split(bytes.TrimSpace(data), []byte("\n"))
	lines = lines[max(0, len(lines)-20):]
	return "\t" + string(bytes.Join(lines, []byte("\n\t")))
}

// checkAlive fails when a server exited during the run.
func (m *Main) checkAlive() error {
	for _, p := range m.procs {
		if err := p.exited(); err != nil {
			return err
		}
	}
	return nil
}

// freeAddr returns a loopback address with a port free right now. Another
// process could take it before the server binds it; the server then fails
// to start and says so.
func freeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

// cpuTime returns the user plus system CPU time a process has used, from
// /proc/PID/stat; ok is false where there is no /proc.
func cpuTime(pid int) (d time.Duration, ok bool) {
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0, false
	}
	// The command name (field 2) is in parentheses and may hold spaces;
	// utime and stime are fields 14 and 15, the 12th and 13th after it.
	i := bytes.LastIndexByte(data, ')')
	if i < 0 {
		return 0, false
	}
	f := strings.Fields(string(data[i+1:]))
	if len(f) < 13 {
		return 0, false
	}
	utime, err1 := strconv.ParseInt(f[11], 10, 64)
	stime, err2 := strconv.ParseInt(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, false
	}
	// /proc reports in USER_HZ, which is 100 on every Linux platform.
	return time.Duration(utime+stime) * 10 * time.Millisecond, true
}

// machineBusy returns the CPU time the whole machine has spent busy (not
// idle, not waiting for I/O), from /proc/stat; ok is false where there is
// no /proc.
func machineBusy() (d time.Duration, ok bool) {
	data, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0, false
	}
	line, _, _ := bytes.Cut(data, []byte("\n"))
	f := strings.Fields(string(line))
	// cpu user nice system idle iowait irq softirq steal …
	if len(f) < 9 || f[0] != "cpu" {
		return 0, false
	}
	var ticks int64
	for _, i := range []int{1, 2, 3, 6, 7, 8} {
		n, err := strconv.ParseInt(f[i], 10, 64)
		if err != nil {
			return 0, false
		}
		ticks += n
	}
	return time.Duration(ticks) * 10 * time.Millisecond, true
}
