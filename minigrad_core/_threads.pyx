"""OpenMP thread count of the compiled kernels, one for the whole process.

OpenMP keeps its thread count (``omp_set_num_threads``) per calling thread, so a count set
in the main thread would not reach kernels called from other Python threads. The count is
kept here instead, and every kernel passes it to its parallel loop (``num_threads=``):
``set_num_threads`` in any thread applies to all of them, as ``torch.set_num_threads`` does.

Until a count is set (by ``set_num_threads`` or ``OMP_NUM_THREADS``) the count adapts to
the machine's load: at most once every ``SAMPLE_SECONDS`` a kernel reads how busy the
process's CPUs were since the last look (``/proc/stat``, Linux), takes away this process's
own CPU time, and uses one thread per core that other processes leave free
(``threads_for_load``). A team of threads in which one shares its core with another busy
process waits at every barrier for that thread, so at two threads a step can take several
times longer than at one; with the count adapted it takes the time of one thread.
"""
from minigrad_core import _check

cdef extern from *:
    """
    #ifdef _OPENMP
    #include <omp.h>
    static int mg_openmp_enabled(void) { return 1; }
    static int mg_default_num_threads(void) { return omp_get_max_threads(); }
    #else
    static int mg_openmp_enabled(void) { return 0; }
    static int mg_default_num_threads(void) { return 1; }
    #endif

    /* The rule: one thread per core that other processes leave at least 60% free,
       between 1 and limit. other_busy is in cores (0.5 = half a core kept busy). A
       thread on a core shared with a busy process gets about half of it, and the team
       waits for it at every barrier: two threads then take as long as one, plus the
       waits. */
    static int mg_threads_for_load(int limit, int cpus, double other_busy) {
        double free_cores = cpus - other_busy;
        int n = free_cores + 0.4 >= limit ? limit : (int)(free_cores + 0.4);
        return n < 1 ? 1 : n;
    }

    #if defined(__linux__) && defined(_OPENMP)
    #include <sched.h>
    #include <stdio.h>
    #include <string.h>
    #include <time.h>
    #include <unistd.h>

    #define MG_SAMPLE_SECONDS 0.2

    typedef struct {
        double wall, own, busy;   /* seconds: monotonic clock, this process's CPU, all CPUs' busy */
    } mg_load_sample;

    static double mg_seconds(clockid_t clock) {
        struct timespec t;
        clock_gettime(clock, &t);
        return t.tv_sec + 1e-9 * t.tv_nsec;
    }

    /* Busy seconds (not idle, not waiting for I/O) of the CPUs this process may run on,
       summed over them, and their number; 0 when /proc/stat cannot be read. */
    static int mg_read_busy(double* busy) {
        cpu_set_t allowed;
        char line[512];
        unsigned long long v[8];
        int cpu, cpus = 0;
        FILE* f;
        double ticks = 0, hz = (double)sysconf(_SC_CLK_TCK);
        if (hz <= 0 || sched_getaffinity(0, sizeof(allowed), &allowed) != 0)
            return 0;
        f = fopen("/proc/stat", "r");
        if (f == NULL)
            return 0;
        while (fgets(line, sizeof(line), f) != NULL) {
            if (strncmp(line, "cpu", 3) != 0)
                break;  /* the cpu lines come first */
            memset(v, 0, sizeof(v));
            /* cpuN user nice system idle iowait irq softirq steal */
            if (sscanf(line, "cpu%d %llu %llu %llu %llu %llu %llu %llu %llu", &cpu, &v[0], &v[1],
                       &v[2], &v[3], &v[4], &v[5], &v[6], &v[7]) < 5)
                continue;  /* the "cpu " total line, or a short line */
            if (cpu < 0 || cpu >= CPU_SETSIZE || !CPU_ISSET(cpu, &allowed))
                continue;
            ticks += (double)(v[0] + v[1] + v[2] + v[5] + v[6] + v[7]);
            cpus++;
        }
        fclose(f);
        *busy = ticks / hz;
        return cpus;
    }

    static int mg_take_sample(mg_load_sample* s) {
        s->wall = mg_seconds(CLOCK_MONOTONIC);
        s->own = mg_seconds(CLOCK_PROCESS_CPUTIME_ID);
        return mg_read_busy(&s->busy);
    }

    static mg_load_sample mg_last;
    static int mg_cpus;               /* 0: no load information, the count stays the limit */
    static double mg_next_check;      /* monotonic seconds */
    static int mg_sampling;           /* 1 while one thread samples */

    static void mg_load_start(void) {
        mg_cpus = mg_take_sample(&mg_last);
        mg_next_check = mg_last.wall + MG_SAMPLE_SECONDS;
    }

    /* The adapted count, or -1 when it is not time to look again (or another thread
       is looking). Other processes' load = all busy time - this process's CPU time. */
    static int mg_load_check(int limit) {
        mg_load_sample now;
        int n = -1, cpus;
        if (mg_cpus == 0 || mg_seconds(CLOCK_MONOTONIC_COARSE) < mg_next_check)
            return -1;
        if (__atomic_exchange_n(&mg_sampling, 1, __ATOMIC_ACQUIRE))
            return -1;
        cpus = mg_take_sample(&now);
        /* own CPU time going back: a forked child, whose last sample is its parent's */
        if (cpus > 0 && now.wall > mg_last.wall && now.own >= mg_last.own) {
            double other = ((now.busy - mg_last.busy) - (now.own - mg_last.own)) / (now.wall - mg_last.wall);
            n = mg_threads_for_load(limit, cpus, other < 0 ? 0 : other);
        }
        mg_last = now;
        mg_next_check = now.wall + MG_SAMPLE_SECONDS;
        __atomic_store_n(&mg_sampling, 0, __ATOMIC_RELEASE);
        return n;
    }
    static double mg_sample_seconds(void) { return MG_SAMPLE_SECONDS; }
    #else
    static void mg_load_start(void) {}
    static int mg_load_check(int limit) { return -1; }
    static double mg_sample_seconds(void) { return 0; }
    #endif
    """
    int mg_openmp_enabled() nogil
    int mg_default_num_threads() nogil
    int mg_threads_for_load(int limit, int cpus, double other_busy) nogil
    void mg_load_start() nogil
    int mg_load_check(int limit) nogil
    double mg_sample_seconds() nogil

# Seconds between two looks at the load while the count adapts (0: never adapts).
SAMPLE_SECONDS = mg_sample_seconds()

# OMP_NUM_THREADS, or one per core, until set_num_threads changes it: the count used on an
# idle machine, and the most used while it adapts.
cdef int _default_threads = mg_default_num_threads()
cdef int _limit = _default_threads
cdef int _adaptive = 0        # the count follows the load (set by use_default_threads)
cdef int _current = _limit    # the count the kernels use now
cdef int _adapted = _limit    # the count the load allowed at the last look
cdef bint _load_started = False


cdef int kernel_threads() noexcept nogil:
    global _current, _adapted
    cdef int n
    if _adaptive:
        n = mg_load_check(_limit)
        if n > 0:
            _adapted = _current = n
    return _current


def openmp_enabled():
    """True when the kernels were compiled with OpenMP."""
    return bool(mg_openmp_enabled())


def get_num_threads():
    """Number of OpenMP threads the kernels may use (fewer while adapting to a busy machine)."""
    return _limit


def threads_in_use():
    """Number of OpenMP threads the kernels use now."""
    return _current


def set_num_threads(n):
    """Use n OpenMP threads in the kernels (n >= 1; 1 without OpenMP), whatever the load."""
    global _limit, _current, _adaptive
    n = _check.integer("set_num_threads", "n", n, 1)
    _limit = min(n, 2**31 - 1) if mg_openmp_enabled() else 1
    _current = _limit
    _adaptive = 0


def use_default_threads(bint adaptive):
    """Go back to the default count (OMP_NUM_THREADS or one per core); with ``adaptive``,
    use fewer while other processes keep cores busy."""
    global _limit, _current, _adaptive, _load_started
    _limit = _default_threads
    _adaptive = adaptive and mg_sample_seconds() > 0
    _current = min(_adapted, _limit) if _adaptive else _limit
    if _adaptive and not _load_started:
        mg_load_start()
        _load_started = True


def threads_for_load(int limit, int cpus, double other_busy):
    """Threads to use with ``cpus`` CPUs of which other processes keep ``other_busy`` cores
    busy: one per core they leave at least 60% free, between 1 and ``limit``.

    >>> threads_for_load(2, 2, 0.0), threads_for_load(2, 2, 1.0), threads_for_load(8, 8, 2.5)
    (2, 1, 5)
    """
    return mg_threads_for_load(limit, cpus, other_busy)
