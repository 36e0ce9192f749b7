#!/usr/bin/env python3
"""Native PyTorch on the cases of bench/cases.json, for comparison with bench/run.mjs (not a test).

Usage: /usr/bin/python3 bench/torch_bench.py [--threads N] [--filter TEXT] [--cpu] [--cases FILE]
Prints one JSON object per line: {"name", "threads", "torch_ms"} (median, float32, like run.mjs:
ms = the op on tensors that already exist). --cpu times with the process CPU clock (one thread).
--cases FILE takes the cases of another file of the same format (bench/sweep.mjs writes one).
Needs Debian's python3-torch (apt-get install -y python3-torch).
"""
import argparse
import json
import pathlib
import statistics
import time

import torch
import torch.nn.functional as F


def median_ms(fn, clock, budget=0.4, min_runs=7):
    t0 = time.perf_counter()
    warm = 0
    while warm < 3 or (time.perf_counter() - t0 < 0.05 and warm < 50):
        fn()
        warm += 1
    estimate = (time.perf_counter() - t0) / warm
    runs = max(min_runs, min(500, int(budget / max(estimate, 1e-6))))
    times = []
    for _ in range(runs):
        a = clock()
        fn()
        times.append((clock() - a) * 1e3)
    return statistics.median(times)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--filter", default="")
    p.add_argument("--cpu", action="store_true")
    p.add_argument("--cases", default=str(pathlib.Path(__file__).parent / "cases.json"))
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    clock = time.process_time if a.cpu else time.perf_counter
    cases = json.loads(pathlib.Path(a.cases).read_text())
    g = torch.Generator().manual_seed(1)
    for c in cases:
        if a.filter not in c["name"]:
            continue
        rank = len(c["shape"]) - 2
        x = torch.rand(c["shape"], generator=g) * 2 - 1
        if c["layout"] == "NHWC":
            x = x.contiguous(memory_format=torch.channels_last if rank == 2 else torch.channels_last_3d)
        avg = [None, F.adaptive_avg_pool1d, F.adaptive_avg_pool2d, F.adaptive_avg_pool3d][rank]
        mx = [None, F.adaptive_max_pool1d, F.adaptive_max_pool2d, F.adaptive_max_pool3d][rank]
        out = c["output"] if rank > 1 else c["output"][0]
        op = c["op"]
        if op == "avg":
            fn = lambda: avg(x, out)
        elif op == "max":
            fn = lambda: mx(x, out, return_indices=True)
        else:
            xg = x.clone().requires_grad_(True)
            y = avg(xg, out) if op == "avg_backward" else mx(xg, out)
            gy = torch.rand(y.shape, generator=g)

            def fn():
                xg.grad = None
                y.backward(gy, retain_graph=True)

        ms = median_ms(fn, clock)
        print(json.dumps({"name": c["name"], "threads": a.threads, "torch_ms": round(ms, 4)}), flush=True)


if __name__ == "__main__":
    main()
