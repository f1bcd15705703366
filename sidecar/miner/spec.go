package miner

import (
	"bufio"
	"context"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"time"

	nodestypes "github.com/cortnet/cortd/x/nodes/types"
)

// DetectSpec reads the machine: CPU cores, RAM (/proc/meminfo) and, when
// nvidia-smi is on the PATH, the GPUs. Anything it cannot read stays zero; flags
// can override it.
func DetectSpec(ctx context.Context) nodestypes.NodeSpec {
	spec := nodestypes.NodeSpec{CpuCores: uint32(runtime.NumCPU()), RamMib: ramMiB()}
	if _, err := exec.LookPath("nvidia-smi"); err == nil {
		ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		out, err := exec.CommandContext(ctx, "nvidia-smi", "--query-gpu=name,memory.total", "--format=csv,noheader,nounits").Output()
		if err == nil {
			for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
				parts := strings.Split(line, ",")
				if len(parts) != 2 {
					continue
				}
				mib, err := strconv.ParseUint(strings.TrimSpace(parts[1]), 10, 64)
				if err != nil {
					continue
				}
				spec.GpuModel = strings.TrimSpace(parts[0])
				spec.GpuCount++
				spec.VramMib += mib
			}
		}
	}
	return spec
}

func ramMiB() uint64 {
	f, err := os.Open("/proc/meminfo")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) >= 2 && fields[0] == "MemTotal:" {
			kb, err := strconv.ParseUint(fields[1], 10, 64)
			if err == nil {
				return kb / 1024
			}
		}
	}
	return 0
}
