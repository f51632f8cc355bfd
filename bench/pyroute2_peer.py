"""The pyroute2 peer of the nsdo benchmarks: the container-network-plugin
workload written the way a pyroute2 user writes it.

Two ways to work inside a namespace, both public pyroute2 API:
  netns   NetNS(name): pyroute2's documented namespace object, a forked
          proxy process per namespace (pyroute2 0.7).
  pushns  netns.pushns(name), IPRoute(), netns.popns(): a plain netlink
          socket opened while the process sits in the namespace, which then
          stays bound to it.

Prints one JSON object on stdout.
  python3 bench/pyroute2_peer.py pods N [netns|pushns] [--keep]
"""
import json
import sys
import time

from pyroute2 import IPRoute, NetNS, netns


def pod_net(i):
    return 100 + (i >> 8), i & 255


def setup_host(ipr, i, name):
    a, b = pod_net(i)
    host = 'h%d' % i
    ipr.link('add', ifname=host, kind='veth',
             peer={'ifname': 'eth0', 'net_ns_fd': name})
    idx = ipr.link_lookup(ifname=host)[0]
    ipr.addr('add', index=idx, address='10.%d.%d.1' % (a, b), mask=24)
    ipr.link('set', index=idx, state='up')


def setup_inside(nsr, i):
    a, b = pod_net(i)
    lo = nsr.link_lookup(ifname='lo')[0]
    nsr.link('set', index=lo, state='up')
    eth0 = nsr.link_lookup(ifname='eth0')[0]
    nsr.addr('add', index=eth0, address='10.%d.%d.2' % (a, b), mask=24)
    nsr.link('set', index=eth0, state='up')
    nsr.route('add', dst='0.0.0.0/0', gateway='10.%d.%d.1' % (a, b))


def open_inside(name, how):
    if how == 'netns':
        return NetNS(name)
    netns.pushns(name)
    try:
        return IPRoute()
    finally:
        netns.popns()


def pods(n, how, keep):
    ipr = IPRoute()
    start = time.perf_counter()
    for i in range(n):
        name = 'p%d' % i
        netns.create(name)
        setup_host(ipr, i, name)
        nsr = open_inside(name, how)
        try:
            setup_inside(nsr, i)
        finally:
            nsr.close()
    setup = time.perf_counter() - start
    out = {'n': n, 'how': how, 'setupMs': setup * 1e3,
           'python': sys.version.split()[0]}
    if not keep:
        start = time.perf_counter()
        for i in range(n):
            netns.remove('p%d' % i)
        out['teardownMs'] = (time.perf_counter() - start) * 1e3
    ipr.close()
    return out


def main(argv):
    if len(argv) < 2 or argv[0] != 'pods':
        sys.exit('usage: pyroute2_peer.py pods N [netns|pushns] [--keep]')
    n = int(argv[1])
    how = argv[2] if len(argv) > 2 and not argv[2].startswith('--') else 'netns'
    if how not in ('netns', 'pushns'):
        sys.exit('pyroute2_peer.py: expected netns or pushns, got %r' % how)
    print(json.dumps(pods(n, how, '--keep' in argv)))


if __name__ == '__main__':
    main(sys.argv[1:])
