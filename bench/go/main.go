// The Go peer of the nsdo benchmarks: the container-network-plugin workload
// written the way a Go CNI plugin does it, with containernetworking's pkg/ns
// for entering namespaces and vishvananda/netlink for rtnetlink.
//
// Named namespaces are made the way Go test suites and tools make them: a
// goroutine locks its OS thread, unshares the network namespace, bind-mounts
// the thread's namespace onto /run/netns/NAME, and returns; the thread is
// left locked so that the runtime throws it away instead of reusing a thread
// that may sit in the wrong namespace.
//
// Every mode prints one JSON object on stdout.
//
//	go-peer -mode pods -n 50 [-conc 4] [-inns do|handle] [-queues 1] [-keep]
//	go-peer -mode rtt -n 10000
//	go-peer -mode routes -n 10000
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"sync"
	"time"

	"github.com/containernetworking/plugins/pkg/ns"
	"github.com/vishvananda/netlink"
	"github.com/vishvananda/netns"
	"golang.org/x/sys/unix"
)

var runDir = "/run/netns"

// vethQueues, when set, is given to the kernel as the veth pair's queue
// counts; with 1 the kernel need not shrink them after registering the
// devices, which costs an RCU grace period per end.
var vethQueues int

func main() {
	mode := flag.String("mode", "pods", "pods, rtt or routes")
	n := flag.Int("n", 50, "pods, round trips or routes")
	conc := flag.Int("conc", 4, "pods in flight at once")
	inns := flag.String("inns", "do", "in-namespace steps: do (ns.Do) or handle (NewHandleAt)")
	keep := flag.Bool("keep", false, "pods: skip the teardown (for checking the end state)")
	flag.IntVar(&vethQueues, "queues", 0, "pods: NumTxQueues/NumRxQueues of both veth ends (0: kernel default)")
	flag.StringVar(&runDir, "dir", runDir, "the run directory of named namespaces")
	flag.Parse()

	var out map[string]interface{}
	var err error
	switch *mode {
	case "pods":
		out, err = benchPods(*n, *conc, *inns, *keep)
	case "rtt":
		out, err = benchRoundTrip(*n)
	case "routes":
		out, err = benchRoutes(*n)
	default:
		err = fmt.Errorf("-mode: expected pods, rtt or routes, got %q", *mode)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "go-peer:", err)
		os.Exit(1)
	}
	out["go"] = runtime.Version()
	json.NewEncoder(os.Stdout).Encode(out)
}

var shareOnce sync.Once
var shareErr error

// shareRunDir makes the run directory a shared mount point, as `ip netns add`
// does, so that the bind mounts show up in mount namespaces made later.
func shareRunDir() error {
	shareOnce.Do(func() {
		if err := os.MkdirAll(runDir, 0755); err != nil {
			shareErr = err
			return
		}
		err := unix.Mount("", runDir, "none", unix.MS_SHARED|unix.MS_REC, "")
		if err != unix.EINVAL {
			shareErr = err
			return
		}
		// Not a mount point yet: make it one, give it its own peer group,
		// then share it.
		if err = unix.Mount(runDir, runDir, "none", unix.MS_BIND|unix.MS_REC, ""); err != nil {
			shareErr = err
			return
		}
		if err = unix.Mount("", runDir, "none", unix.MS_PRIVATE, ""); err != nil {
			shareErr = err
			return
		}
		shareErr = unix.Mount("", runDir, "none", unix.MS_SHARED|unix.MS_REC, "")
	})
	return shareErr
}

// createNamespace makes the persistent named namespace runDir/name.
func createNamespace(name string) (string, error) {
	if err := shareRunDir(); err != nil {
		return "", fmt.Errorf("share %s: %w", runDir, err)
	}
	path := filepath.Join(runDir, name)
	fd, err := unix.Open(path, unix.O_RDONLY|unix.O_CREAT|unix.O_EXCL|unix.O_CLOEXEC, 0)
	if err != nil {
		return "", fmt.Errorf("create %s: %w", path, err)
	}
	unix.Close(fd)

	done := make(chan error, 1)
	go func() {
		// The thread stays locked: the runtime discards it when this
		// goroutine ends, whatever namespace it was left in.
		runtime.LockOSThread()
		home, err := netns.Get()
		if err != nil {
			done <- err
			return
		}
		defer home.Close()
		if err = unix.Unshare(unix.CLONE_NEWNET); err != nil {
			done <- fmt.Errorf("unshare: %w", err)
			return
		}
		self := fmt.Sprintf("/proc/self/task/%d/ns/net", unix.Gettid())
		err = unix.Mount(self, path, "none", unix.MS_BIND, "")
		netns.Set(home)
		done <- err
	}()
	if err = <-done; err != nil {
		os.Remove(path)
		return "", fmt.Errorf("bind mount %s: %w", path, err)
	}
	return path, nil
}

// deleteNamespace is `ip netns del`: a lazy unmount, then unlink.
func deleteNamespace(path string) error {
	if err := unix.Unmount(path, unix.MNT_DETACH); err != nil {
		return fmt.Errorf("umount %s: %w", path, err)
	}
	return os.Remove(path)
}

func podNet(i int) (a, b int) { return 100 + (i >> 8), i & 255 }

func cidr(ip string, bits int) *net.IPNet {
	return &net.IPNet{IP: net.ParseIP(ip).To4(), Mask: net.CIDRMask(bits, 32)}
}

// setupPod runs the eight steps for pod i.
func setupPod(i int, host *netlink.Handle, inns string) error {
	name := fmt.Sprintf("p%d", i)
	path, err := createNamespace(name)
	if err != nil {
		return err
	}
	target, err := ns.GetNS(path)
	if err != nil {
		return err
	}
	defer target.Close()

	a, b := podNet(i)
	veth := &netlink.Veth{
		LinkAttrs: netlink.LinkAttrs{Name: fmt.Sprintf("h%d", i),
			NumTxQueues: vethQueues, NumRxQueues: vethQueues},
		PeerName:      "eth0",
		PeerNamespace: netlink.NsFd(int(target.Fd())),
	}
	if err = host.LinkAdd(veth); err != nil {
		return fmt.Errorf("link add %s: %w", veth.Name, err)
	}
	hostAddr := &netlink.Addr{IPNet: cidr(fmt.Sprintf("10.%d.%d.1", a, b), 24)}
	if err = host.AddrAdd(veth, hostAddr); err != nil {
		return fmt.Errorf("addr add %s: %w", veth.Name, err)
	}
	if err = host.LinkSetUp(veth); err != nil {
		return fmt.Errorf("link set %s up: %w", veth.Name, err)
	}

	if inns == "handle" {
		h, err := netlink.NewHandleAt(netns.NsHandle(target.Fd()))
		if err != nil {
			return err
		}
		defer h.Delete()
		return setupInside(h, a, b)
	}
	return target.Do(func(ns.NetNS) error {
		// Inside ns.Do the package-level functions work in the target.
		return setupInside(nil, a, b)
	})
}

// setupInside runs steps 5-8 through h, or through the package-level
// functions (the calling thread's namespace) when h is nil.
func setupInside(h *netlink.Handle, a, b int) error {
	if h == nil {
		h = &netlink.Handle{}
	}
	lo, err := h.LinkByName("lo")
	if err != nil {
		return err
	}
	if err = h.LinkSetUp(lo); err != nil {
		return err
	}
	eth0, err := h.LinkByName("eth0")
	if err != nil {
		return err
	}
	addr := &netlink.Addr{IPNet: cidr(fmt.Sprintf("10.%d.%d.2", a, b), 24)}
	if err = h.AddrAdd(eth0, addr); err != nil {
		return err
	}
	if err = h.LinkSetUp(eth0); err != nil {
		return err
	}
	gw := net.ParseIP(fmt.Sprintf("10.%d.%d.1", a, b)).To4()
	return h.RouteAdd(&netlink.Route{
		LinkIndex: eth0.Attrs().Index,
		Scope:     netlink.SCOPE_UNIVERSE,
		Gw:        gw,
	})
}

// forEach runs fn(0..n-1) with at most conc calls in flight.
func forEach(n, conc int, fn func(i int) error) error {
	if conc < 1 {
		conc = 1
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	var first error
	next := 0
	for w := 0; w < conc; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				mu.Lock()
				i := next
				next++
				stop := first != nil
				mu.Unlock()
				if i >= n || stop {
					return
				}
				if err := fn(i); err != nil {
					mu.Lock()
					if first == nil {
						first = err
					}
					mu.Unlock()
				}
			}
		}()
	}
	wg.Wait()
	return first
}

func benchPods(n, conc int, inns string, keep bool) (map[string]interface{}, error) {
	host, err := netlink.NewHandle()
	if err != nil {
		return nil, err
	}
	defer host.Delete()

	start := time.Now()
	err = forEach(n, conc, func(i int) error { return setupPod(i, host, inns) })
	setup := time.Since(start)
	if err != nil {
		return nil, err
	}
	out := map[string]interface{}{
		"n": n, "conc": conc, "inns": inns, "queues": vethQueues, "setupMs": ms(setup),
	}
	if keep {
		return out, nil
	}
	start = time.Now()
	err = forEach(n, conc, func(i int) error {
		return deleteNamespace(filepath.Join(runDir, fmt.Sprintf("p%d", i)))
	})
	out["teardownMs"] = ms(time.Since(start))
	return out, err
}

// benchRoundTrip times ns.Do with one link lookup by name, n times in a row.
func benchRoundTrip(n int) (map[string]interface{}, error) {
	path, err := createNamespace("rtt")
	if err != nil {
		return nil, err
	}
	defer deleteNamespace(path)
	target, err := ns.GetNS(path)
	if err != nil {
		return nil, err
	}
	defer target.Close()

	lookup := func(ns.NetNS) error {
		_, err := netlink.LinkByName("lo")
		return err
	}
	for i := 0; i < 200; i++ { // warm-up
		if err = target.Do(lookup); err != nil {
			return nil, err
		}
	}
	samples := make([]float64, n)
	start := time.Now()
	for i := range samples {
		t := time.Now()
		if err = target.Do(lookup); err != nil {
			return nil, err
		}
		samples[i] = float64(time.Since(t).Nanoseconds()) / 1e3
	}
	total := time.Since(start)
	sort.Float64s(samples)
	return map[string]interface{}{
		"n": n, "p50Us": quantile(samples, 0.5), "p99Us": quantile(samples, 0.99),
		"totalMs": ms(total),
	}, nil
}

// benchRoutes adds n /32 routes on lo through a handle opened in the namespace.
func benchRoutes(n int) (map[string]interface{}, error) {
	path, err := createNamespace("routes")
	if err != nil {
		return nil, err
	}
	defer deleteNamespace(path)
	fd, err := unix.Open(path, unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, err
	}
	defer unix.Close(fd)
	h, err := netlink.NewHandleAt(netns.NsHandle(fd))
	if err != nil {
		return nil, err
	}
	defer h.Delete()
	lo, err := h.LinkByName("lo")
	if err != nil {
		return nil, err
	}
	if err = h.LinkSetUp(lo); err != nil {
		return nil, err
	}

	start := time.Now()
	for i := 0; i < n; i++ {
		dst := cidr(fmt.Sprintf("10.200.%d.%d", i>>8, i&255), 32)
		r := &netlink.Route{LinkIndex: lo.Attrs().Index, Dst: dst, Scope: netlink.SCOPE_LINK}
		if err = h.RouteAdd(r); err != nil {
			return nil, fmt.Errorf("route add %v: %w", dst, err)
		}
	}
	took := time.Since(start)
	return map[string]interface{}{
		"n": n, "ms": ms(took), "opsPerSec": float64(n) / took.Seconds(),
	}, nil
}

func ms(d time.Duration) float64 { return float64(d.Nanoseconds()) / 1e6 }

func quantile(sorted []float64, q float64) float64 {
	i := int(q * float64(len(sorted)-1))
	return sorted[i]
}
