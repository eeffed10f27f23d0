package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// clockTicks is USER_HZ, the unit of utime and stime in /proc/<pid>/stat: 100 on every Linux
// architecture Go supports.
const clockTicks = 100

// statFields returns the fields of /proc/<pid>/stat after the command name (field 3 onwards).
func statFields(pid int) ([]string, error) {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return nil, err
	}
	text := string(raw)
	end := strings.LastIndexByte(text, ')')
	if end < 0 {
		return nil, fmt.Errorf("/proc/%d/stat: no command name", pid)
	}
	return strings.Fields(text[end+1:]), nil
}

// descendants lists pid and every process below it, so a server that forks helpers is counted whole.
func descendants(pid int) []int {
	children := map[int][]int{}
	entries, _ := filepath.Glob("/proc/[0-9]*")
	for _, entry := range entries {
		child, err := strconv.Atoi(filepath.Base(entry))
		if err != nil {
			continue
		}
		fields, err := statFields(child)
		if err != nil || len(fields) < 2 {
			continue
		}
		parent, _ := strconv.Atoi(fields[1])
		children[parent] = append(children[parent], child)
	}
	all := []int{pid}
	for i := 0; i < len(all); i++ {
		all = append(all, children[all[i]]...)
	}
	return all
}

// cpuTime is the user plus system CPU time that pid and its descendants have used so far.
func cpuTime(pid int) (time.Duration, error) {
	var ticks int64
	for i, p := range descendants(pid) {
		fields, err := statFields(p)
		if err != nil {
			if i == 0 {
				return 0, err
			}
			continue
		}
		// utime and stime are fields 14 and 15 of the whole line: 12 and 13 after the name.
		user, _ := strconv.ParseInt(fields[11], 10, 64)
		system, _ := strconv.ParseInt(fields[12], 10, 64)
		ticks += user + system
	}
	return time.Duration(ticks) * time.Second / clockTicks, nil
}
