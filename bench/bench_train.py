"""One training step, or one inference forward, side by side with PyTorch.

Training (the default, ``--mode train``): forward, loss, backward, SGD-momentum step of
LeNet-5 at batch 64 on 1x32x32, a CIFAR ResNet-18 at batch 32 on 3x32x32, and the
1-channel AlexNet at batch 8 on 1x224x224. The PyTorch models are written out below with
the same layers as minigrad's (the parameter counts are checked equal), since torchvision
is not a dependency.

Inference (``--mode inference``): one forward in eval mode under ``no_grad`` of LeNet-5,
the CIFAR ResNet-18, ResNet-18 at 224, AlexNet and VGG-11 at each ``--batch`` size. The
PyTorch peers are the twins of tests/torch_twins.py, loaded with minigrad's weights and
running statistics (the largest difference of the outputs is printed).

Timing runs both frameworks in this one process, interleaved, and reports the best time
of each and the ratio minigrad / PyTorch: at one thread the clock is the calling
thread's CPU time (all the work runs on that thread, in both frameworks; far steadier
than wall time on a shared machine), at more threads wall time. Peak memory is measured
in a fresh process per framework and workload (the peak resident set of a process that
builds the model and runs it). The CPU model is printed first.

With ``--busy`` the script starts a competing process that spins on one core, as a laptop
or a shared CI runner would have, and compares each framework at its default thread count
with itself at one thread: training steps, then eval-mode ``no_grad`` inference at batch 1
and at the training batch. The competitor is stopped at the end.

Usage: python bench/bench_train.py [--steps 5] [--threads 1,2] [--only lenet5,alexnet] [--busy]
       python bench/bench_train.py --mode inference [--batch 1,64] [--only resnet18_cifar]
"""

import argparse
import json
import os
import platform
import subprocess
import sys
import time

import numpy as np

TWINS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests")

WORKLOADS = {
    "lenet5": dict(batch=64, shape=(1, 32, 32), kwargs={}),
    "resnet18_cifar": dict(batch=32, shape=(3, 32, 32), kwargs={"num_classes": 10}),
    "alexnet": dict(batch=8, shape=(1, 224, 224), kwargs={"in_channels": 1, "num_classes": 10}),
}

# torch.get_num_threads() before anything changes it (set by --busy)
TORCH_DEFAULT_THREADS = None


# (channels, size) of the inference workloads' images; default kwargs otherwise
INFERENCE = {
    "lenet5": (1, 32),
    "resnet18_cifar": (3, 32),
    "resnet18": (3, 224),
    "alexnet": (3, 224),
    "vgg11": (3, 224),
}


def cpu_model():
    """The processor's name, family and model numbers and whether it has AVX-512, as
    /proc/cpuinfo gives them (platform's answer elsewhere)."""
    try:
        with open("/proc/cpuinfo") as f:
            fields = dict(line.split(":", 1) for line in f.read().split("\n\n")[0].splitlines() if ":" in line)
    except OSError:
        return platform.processor() or platform.machine()
    fields = {k.strip(): v.strip() for k, v in fields.items()}
    avx512 = "AVX-512" if "avx512f" in fields.get("flags", "").split() else "no AVX-512"
    family, model = fields.get("cpu family", "?"), fields.get("model", "?")
    return f"{fields.get('model name', '?')} (family {family} model {model}, {avx512})"


# ---- the PyTorch peers --------------------------------------------------------------------


def torch_model(name):
    import torch.nn as tnn

    if name == "lenet5":
        return tnn.Sequential(
            tnn.Conv2d(1, 6, 5),
            tnn.AvgPool2d(2, 2),
            tnn.Sigmoid(),
            tnn.Conv2d(6, 16, 5),
            tnn.AvgPool2d(2, 2),
            tnn.Sigmoid(),
            tnn.Flatten(),
            tnn.Linear(400, 120),
            tnn.Sigmoid(),
            tnn.Linear(120, 84),
            tnn.Sigmoid(),
            tnn.Linear(84, 10),
        )
    if name == "alexnet":
        return tnn.Sequential(
            tnn.Conv2d(1, 64, 11, 4, 2),
            tnn.ReLU(inplace=True),
            tnn.MaxPool2d(3, 2),
            tnn.Conv2d(64, 192, 5, padding=2),
            tnn.ReLU(inplace=True),
            tnn.MaxPool2d(3, 2),
            tnn.Conv2d(192, 384, 3, padding=1),
            tnn.ReLU(inplace=True),
            tnn.Conv2d(384, 256, 3, padding=1),
            tnn.ReLU(inplace=True),
            tnn.Conv2d(256, 256, 3, padding=1),
            tnn.ReLU(inplace=True),
            tnn.MaxPool2d(3, 2),
            tnn.AdaptiveAvgPool2d((6, 6)),
            tnn.Flatten(),
            tnn.Dropout(0.5),
            tnn.Linear(256 * 36, 4096),
            tnn.ReLU(inplace=True),
            tnn.Dropout(0.5),
            tnn.Linear(4096, 4096),
            tnn.ReLU(inplace=True),
            tnn.Linear(4096, 10),
        )

    class Block(tnn.Module):
        def __init__(self, cin, cout, stride):
            super().__init__()
            self.conv1 = tnn.Conv2d(cin, cout, 3, stride, 1, bias=False)
            self.bn1 = tnn.BatchNorm2d(cout)
            self.conv2 = tnn.Conv2d(cout, cout, 3, 1, 1, bias=False)
            self.bn2 = tnn.BatchNorm2d(cout)
            self.relu = tnn.ReLU(inplace=True)
            self.down = None
            if stride != 1 or cin != cout:
                self.down = tnn.Sequential(tnn.Conv2d(cin, cout, 1, stride, bias=False), tnn.BatchNorm2d(cout))

        def forward(self, x):
            identity = x if self.down is None else self.down(x)
            out = self.relu(self.bn1(self.conv1(x)))
            return self.relu(self.bn2(self.conv2(out)) + identity)

    layers = [tnn.Conv2d(3, 64, 3, 1, 1, bias=False), tnn.BatchNorm2d(64), tnn.ReLU(inplace=True)]
    cin = 64
    for cout, stride in ((64, 1), (128, 2), (256, 2), (512, 2)):
        layers += [Block(cin, cout, stride), Block(cout, cout, 1)]
        cin = cout
    layers += [tnn.AdaptiveAvgPool2d(1), tnn.Flatten(), tnn.Linear(512, 10)]
    return tnn.Sequential(*layers)


# ---- one framework's training step --------------------------------------------------------


def make_step(framework, name, threads):
    """A function running one training step, and the model's parameter count."""
    spec = WORKLOADS[name]
    rng = np.random.default_rng(0)
    images = rng.standard_normal((spec["batch"],) + spec["shape"]).astype(np.float32)
    labels = rng.integers(0, 10, size=spec["batch"])
    if framework == "minigrad":
        import minigrad
        from minigrad import nn, optim

        minigrad.set_num_threads(threads)
        model = getattr(minigrad.models, name)(**spec["kwargs"])
        x, y = minigrad.tensor(images), minigrad.tensor(labels)
    else:
        import torch

        nn, optim = torch.nn, torch.optim
        torch.set_num_threads(threads)
        model = torch_model(name)
        x, y = torch.from_numpy(images), torch.from_numpy(labels)
    model.train()
    optimizer = optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    loss_fn = nn.CrossEntropyLoss()

    def step():
        optimizer.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        optimizer.step()

    return step, sum(p.numel() for p in model.parameters())


def set_threads(framework, threads):
    if framework == "minigrad":
        import minigrad

        minigrad.set_num_threads(threads)
    else:
        import torch

        torch.set_num_threads(threads)


def time_pair(name, threads, steps):
    """Best step time in ms of each framework, interleaving their steps in this process."""
    steps_by = {fw: make_step(fw, name, threads) for fw in ("minigrad", "torch")}
    counts = {fw: n for fw, (_, n) in steps_by.items()}
    if counts["minigrad"] != counts["torch"]:
        raise RuntimeError(f"{name}: parameter counts differ: {counts}")
    best = {fw: float("inf") for fw in steps_by}
    for i in range(steps + 1):
        for fw, (step, _) in steps_by.items():
            set_threads(fw, threads)
            start = time.perf_counter()
            step()
            elapsed = time.perf_counter() - start
            if i:  # the first step warms up
                best[fw] = min(best[fw], elapsed * 1e3)
    return best


def peak_memory_mb(framework, name, threads, steps):
    """Peak RSS (MB) of a fresh process that runs ``steps`` steps of one framework."""
    out = subprocess.run(
        [sys.executable, __file__, "--worker", framework, name, str(threads), str(steps)],
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])["peak_mb"]


def worker(framework, name, threads, steps):
    step, _ = make_step(framework, name, int(threads))
    for _ in range(int(steps)):
        step()
    # VmHWM, not ru_maxrss: the latter keeps the forked parent's size across exec.
    with open("/proc/self/status") as f:
        peak_kb = next(int(line.split()[1]) for line in f if line.startswith("VmHWM:"))
    print(json.dumps({"peak_mb": round(peak_kb / 1024, 1)}))


# ---- one framework's inference forward ------------------------------------------------------


def make_eval_forward(framework, name, batch, threads, weights=None):
    """A function running one eval-mode forward under no_grad, and the minigrad model's
    state (weights for the PyTorch twin) when framework is minigrad."""
    channels, size = INFERENCE[name]
    images = np.random.default_rng(0).standard_normal((batch, channels, size, size)).astype(np.float32)
    if framework == "minigrad":
        import minigrad

        minigrad.set_num_threads(threads)
        model = getattr(minigrad.models, name)().eval()
        x = minigrad.tensor(images)
        grad_off = minigrad.no_grad
        state = {k: v.numpy() for k, v in model.state_dict().items()}
    else:
        import torch

        sys.path.insert(0, TWINS)
        from torch_twins import twin

        torch.set_num_threads(threads)
        model = twin(name).eval()
        if weights is not None:
            model.load_state_dict({k: torch.from_numpy(v.copy()) for k, v in weights.items()})
        x = torch.from_numpy(images)
        grad_off = torch.no_grad
        state = None

    def forward():
        with grad_off():
            return model(x)

    return forward, state


def time_inference(name, batch, threads, repeats):
    """Best forward time in ms of each framework (interleaved), and the largest difference
    of their outputs. Short forwards get more repeats (up to 300, about 0.3 s of each
    framework), since a minimum over a few sub-millisecond runs still carries the noise."""
    fm, weights = make_eval_forward("minigrad", name, batch, threads)
    ft, _ = make_eval_forward("torch", name, batch, threads, weights)
    clock = time.thread_time if threads == 1 else time.perf_counter
    best = {"minigrad": float("inf"), "torch": float("inf")}
    outputs = {}
    i = 0
    while i <= repeats:
        for fw, forward in (("minigrad", fm), ("torch", ft)):
            set_threads(fw, threads)
            start = clock()
            out = forward()
            elapsed = clock() - start
            if i:  # the first forward warms up
                best[fw] = min(best[fw], elapsed * 1e3)
            else:
                outputs[fw] = out.numpy()
                repeats = max(repeats, min(300, int(0.3 / max(elapsed, 1e-6))))
        i += 1
    return best, float(np.abs(outputs["minigrad"] - outputs["torch"]).max())


def inference_worker(framework, name, threads, batch):
    forward, weights = make_eval_forward(framework, name, int(batch), int(threads))
    if framework == "torch":  # the same weights as minigrad's (a fresh process: made again)
        forward, _ = make_eval_forward("torch", name, int(batch), int(threads), weights)
    for _ in range(2):
        forward()
    with open("/proc/self/status") as f:
        peak_kb = next(int(line.split()[1]) for line in f if line.startswith("VmHWM:"))
    print(json.dumps({"peak_mb": round(peak_kb / 1024, 1)}))


def inference_peak_mb(framework, name, threads, batch):
    """Peak RSS (MB) of a fresh process that runs two forwards of one framework."""
    out = subprocess.run(
        [sys.executable, __file__, "--inference-worker", framework, name, str(threads), str(batch)],
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])["peak_mb"]


def main_inference(args):
    names = args.only.split(",") if args.only else list(INFERENCE)
    print(
        f"{'workload':16s} {'batch':>5s} {'thr':>3s} {'minigrad ms':>12s} {'torch ms':>9s} {'ratio':>6s} "
        f"{'max |diff|':>10s} {'mg peak MB':>10s} {'torch peak MB':>13s}"
    )
    for name in names:
        for batch in (int(b) for b in args.batch.split(",")):
            for threads in (int(t) for t in args.threads.split(",")):
                repeats = args.steps if batch * INFERENCE[name][1] ** 2 <= 64 * 32**2 else max(2, args.steps // 3)
                best, diff = time_inference(name, batch, threads, repeats)
                memory = ("-", "-")
                if not args.no_memory and threads == 1:
                    memory = tuple(f"{inference_peak_mb(fw, name, threads, batch):.0f}" for fw in ("minigrad", "torch"))
                print(
                    f"{name:16s} {batch:5d} {threads:3d} {best['minigrad']:12.2f} {best['torch']:9.2f} "
                    f"{best['minigrad'] / best['torch']:6.2f} {diff:10.1e} {memory[0]:>10s} {memory[1]:>13s}",
                    flush=True,
                )


# ---- a busy machine: one competing process spinning on a core ----------------------------


def start_competitor():
    """A process spinning on one core until it is killed: the busy machine of ``--busy``."""
    # it also stops by itself when this script ends without stopping it
    spin = "import os\nparent = os.getppid()\nwhile os.getppid() == parent:\n    pass\n"
    return subprocess.Popen([sys.executable, "-c", spin])


def make_inference(framework, name, batch):
    """A function running one eval-mode forward pass under no_grad on ``batch`` images."""
    spec = WORKLOADS[name]
    images = np.random.default_rng(0).standard_normal((batch,) + spec["shape"]).astype(np.float32)
    if framework == "minigrad":
        import minigrad

        model, x, no_grad = getattr(minigrad.models, name)(**spec["kwargs"]), minigrad.tensor(images), minigrad.no_grad
    else:
        import torch

        model, x, no_grad = torch_model(name), torch.from_numpy(images), torch.no_grad
    model.eval()

    def forward():
        with no_grad():
            model(x)

    return forward


def default_threads(framework):
    """Put a framework back to its default thread count (what a user who sets nothing gets)."""
    if framework == "minigrad":
        import minigrad.parallel

        minigrad.parallel.use_default_threads()
    else:
        import torch

        torch.set_num_threads(TORCH_DEFAULT_THREADS)


def time_busy(functions, steps):
    """Times in ms of each framework's function at 1 thread and at its default count, the
    four settings interleaved, one of each per round: {(framework, "1" or "default"): [ms]}."""
    times = {(fw, setting): [] for fw in functions for setting in ("1", "default")}
    order = list(times)
    for i in range(steps + 1):
        for fw, setting in order[i % 4 :] + order[: i % 4]:  # each setting in turn goes first
            if setting == "1":
                set_threads(fw, 1)
            else:
                default_threads(fw)
            start = time.perf_counter()
            functions[fw]()
            elapsed = time.perf_counter() - start
            if i:  # the first round warms up
                times[fw, setting].append(elapsed * 1e3)
    return times


def busy_row(label, times):
    """Best times and two ratios default / 1 thread per framework: of the best times, and
    the median over rounds of each round's ratio (steadier while the load drifts)."""
    cells = []
    for fw in ("minigrad", "torch"):
        one, default = times[fw, "1"], times[fw, "default"]
        paired = float(np.median([d / o for d, o in zip(default, one)]))
        cells.append(f"{min(one):9.1f} {min(default):11.1f} {min(default) / min(one):6.2f} {paired:6.2f}")
    print(f"{label:24s} {cells[0]}   {cells[1]}", flush=True)


def run_busy(names, steps):
    """Training steps and inference with a competing busy process, 1 thread vs default."""
    global TORCH_DEFAULT_THREADS
    competitor = start_competitor()
    try:
        time.sleep(1.0)  # the competitor runs before either framework picks its threads
        import torch

        import minigrad.parallel

        TORCH_DEFAULT_THREADS = torch.get_num_threads()
        print(f"CPU: {cpu_model()}, {os.cpu_count()} logical CPUs; load average {os.getloadavg()[0]:.2f}")
        print(
            f"busy machine: one competing process spinning; default threads: minigrad up to "
            f"{minigrad.parallel.get_num_threads()} (adapts to free cores), torch {TORCH_DEFAULT_THREADS}"
        )
        header = (
            f"{'':24s} {'mg 1 thr':>9s} {'mg default':>11s} {'best':>6s} {'median':>6s}   "
            f"{'torch 1':>9s} {'torch dflt':>11s} {'best':>6s} {'median':>6s}"
        )
        print("\nratios default / 1 thread: of the best times, and the median of each round's ratio")
        print("\ntraining step, best ms")
        print(header)
        for name in names:
            functions = {fw: make_step(fw, name, 1)[0] for fw in ("minigrad", "torch")}
            busy_row(name, time_busy(functions, steps))
        print("\ninference (eval, no_grad), best ms")
        print(header)
        for name in names:
            for batch in (1, WORKLOADS[name]["batch"]):
                functions = {fw: make_inference(fw, name, batch) for fw in ("minigrad", "torch")}
                busy_row(f"{name} batch {batch}", time_busy(functions, steps))
        print(f"load average at the end {os.getloadavg()[0]:.2f}")
    finally:
        competitor.kill()
        competitor.wait()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mode", choices=("train", "inference"), default="train")
    parser.add_argument("--steps", type=int, default=5, help="timed steps (inference: forwards) per workload")
    parser.add_argument("--threads", default=None, help="comma-separated thread counts (train: 1,2; inference: 1)")
    parser.add_argument("--only", default=None, help="comma-separated workloads (default: all of the mode's)")
    parser.add_argument("--batch", default="1,64", help="inference batch sizes")
    parser.add_argument("--no-memory", action="store_true")
    parser.add_argument("--busy", action="store_true", help="with a competing busy process: 1 thread vs default")
    parser.add_argument("--worker", nargs=4, help=argparse.SUPPRESS)
    parser.add_argument("--inference-worker", nargs=4, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(*args.worker)
        return
    if args.inference_worker:
        inference_worker(*args.inference_worker)
        return
    if args.busy:
        run_busy((args.only or ",".join(WORKLOADS)).split(","), args.steps)
        return
    print(f"CPU: {cpu_model()}, {os.cpu_count()} logical CPUs; load average {os.getloadavg()[0]:.2f}")
    if args.mode == "inference":
        args.threads = args.threads or "1"
        main_inference(args)
        return
    args.threads = args.threads or "1,2"
    args.only = args.only or ",".join(WORKLOADS)
    print(
        f"{'workload':16s} {'thr':>3s} {'minigrad ms':>12s} {'torch ms':>9s} {'ratio':>6s} "
        f"{'mg peak MB':>10s} {'torch peak MB':>13s}"
    )
    for name in args.only.split(","):
        for threads in (int(t) for t in args.threads.split(",")):
            best = time_pair(name, threads, args.steps)
            memory = ("-", "-")
            if not args.no_memory and threads == 1:
                memory = tuple(f"{peak_memory_mb(fw, name, threads, 2):.0f}" for fw in ("minigrad", "torch"))
            print(
                f"{name:16s} {threads:3d} {best['minigrad']:12.1f} {best['torch']:9.1f} "
                f"{best['minigrad'] / best['torch']:6.2f} {memory[0]:>10s} {memory[1]:>13s}",
                flush=True,
            )


if __name__ == "__main__":
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    main()
