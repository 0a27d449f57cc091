/*
 * chlauncher - run the chDB engine (libchdb.so, ClickHouse as a shared library) as a local
 * ClickHouse server for tests, demos and development.
 *
 * Usage:
 *   chlauncher [--lib PATH] [--owner-pid N] [--no-restart] [--] <clickhouse-local arguments...>
 *
 *   --lib PATH      libchdb.so to dlopen; default: $CHLAUNCHER_LIB, else "libchdb.so" (dlopen search path).
 *   --owner-pid N   watchdog: once a second check that process N is still alive; when it is gone
 *                   (no such process, a zombie, or its PID was reused by another process), stop the
 *                   engine (SIGTERM, SIGKILL after a grace period) and exit. 0 = no watchdog.
 *   --no-restart    do not restart the engine when it dies (see below).
 *   everything else is passed unchanged to chdb_query_cmdline(argc, argv) (argv[0] is supplied here),
 *   e.g. --config-file=... --path=... --listen_host=127.0.0.1 --http_port=N --tcp_port=M --multiquery
 *        --query="SYSTEM START LISTEN HTTP; SYSTEM START LISTEN TCP; SELECT sleepEachRow(1) ..."
 *
 * Processes: this process is a small supervisor (the PID to signal); it forks the engine process,
 * which dlopens libchdb.so and runs the query. The listeners live only while the query runs, so the
 * query must end with a keep-alive that never ends by itself, e.g.
 *   SELECT sleepEachRow(1) FROM system.numbers SETTINGS max_block_size = 1 FORMAT Null.
 * - SIGTERM/SIGINT/SIGHUP to the supervisor are passed to the engine; the supervisor exits after it.
 * - The engine gets SIGKILL when the supervisor dies (PR_SET_PDEATHSIG), so kill -9 of the supervisor
 *   leaves nothing behind.
 * - When the query ends normally (e.g. KILL QUERY on the keep-alive) the supervisor exits with 0.
 * - When the engine dies from a signal (chDB 26.7 aborts the whole process on some errors, e.g. a failed
 *   password check over the native TCP protocol), or exits with an error after it ran for a while, it is
 *   started again, at most MAX_RESTARTS times per RESTART_WINDOW seconds. An error exit within the first
 *   STARTUP_SECONDS (bad arguments, config, port) is not retried.
 *
 * Note: clickhouse-local's embedded session always authenticates as user `default` with an empty
 * password from 127.0.0.1 (hard-coded in chDB's LocalConnection); --user/--password are not accepted.
 * The users config must therefore define a passwordless `default`; lock it down there (grants, quota).
 *
 * chDB C API used (chdb.h, v26): an opaque result handle.
 *   chdb_result *chdb_query_cmdline(int argc, char **argv);
 *   const char  *chdb_result_error(chdb_result *);   NULL when no error
 *   char        *chdb_result_buffer(chdb_result *);
 *   size_t       chdb_result_length(chdb_result *);
 *   void         chdb_destroy_query_result(chdb_result *);
 *
 * Build: cc -O2 -o chlauncher chlauncher.c -ldl -lpthread
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

typedef struct chdb_result chdb_result;
typedef chdb_result *(*query_cmdline_fn)(int, char **);
typedef const char *(*result_error_fn)(chdb_result *);
typedef char *(*result_buffer_fn)(chdb_result *);
typedef size_t (*result_length_fn)(chdb_result *);
typedef void (*destroy_result_fn)(chdb_result *);

#define GRACE_SECONDS 8     /* after SIGTERM to the engine, before SIGKILL */
#define STARTUP_SECONDS 10  /* an engine that fails sooner is not restarted */
#define MAX_RESTARTS 5
#define RESTART_WINDOW 60

static pid_t owner_pid = 0;
static unsigned long long owner_start = 0; /* field 22 of /proc/N/stat: start time in clock ticks */
static volatile pid_t engine_pid = 0;
static volatile sig_atomic_t stopping = 0;
static struct sigaction old_int; /* SIGINT disposition we were started with */

static void log_line(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void log_line(const char *fmt, ...)
{
    char ts[32];
    time_t now = time(NULL);
    struct tm tm;
    localtime_r(&now, &tm);
    strftime(ts, sizeof ts, "%Y-%m-%d %H:%M:%S", &tm);
    fprintf(stderr, "%s chlauncher[%d]: ", ts, (int)getpid());
    va_list ap;
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    fflush(stderr);
}

/* Reads state and start time of a process from /proc. Returns 0 on success. */
static int read_proc_stat(pid_t pid, char *state, unsigned long long *start)
{
    char path[64], buf[4096];
    snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    /* comm may contain spaces and parentheses: parse after the last ')'. */
    char *p = strrchr(buf, ')');
    if (!p)
        return -1;
    p++;
    /* after ')': state ppid pgrp session tty_nr tpgid flags minflt cminflt majflt cmajflt
       utime stime cutime cstime priority nice num_threads itrealvalue starttime */
    char st;
    unsigned long long v[19];
    if (sscanf(p, " %c %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu",
               &st, &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7], &v[8], &v[9], &v[10], &v[11],
               &v[12], &v[13], &v[14], &v[15], &v[16], &v[17]) != 19)
        return -1;
    *state = st;
    *start = v[17];
    return 0;
}

static int owner_alive(void)
{
    if (kill(owner_pid, 0) != 0 && errno == ESRCH)
        return 0;
    char st;
    unsigned long long start;
    if (read_proc_stat(owner_pid, &st, &start) != 0)
        return 1; /* no /proc: trust kill() */
    if (st == 'Z' || st == 'X')
        return 0; /* dead, just not reaped yet */
    if (owner_start != 0 && start != owner_start)
        return 0; /* PID reused by another process */
    return 1;
}

/* Supervisor: stop the engine (SIGTERM, then SIGKILL after the grace period) and exit. */
static void *watchdog(void *arg)
{
    (void)arg;
    while (owner_alive())
        sleep(1);
    log_line("owner process %d is gone; stopping the engine", (int)owner_pid);
    stopping = 1;
    pid_t e = engine_pid;
    if (e > 0)
        kill(e, SIGTERM);
    /* the main thread reaps the engine and exits; this only acts if the engine hangs */
    for (int i = 0; i < GRACE_SECONDS * 10 && e > 0 && kill(e, 0) == 0; i++)
        usleep(100000);
    if (e > 0 && kill(e, 0) == 0)
    {
        log_line("engine %d still running %d s after SIGTERM; killing it", (int)e, GRACE_SECONDS);
        kill(e, SIGKILL);
    }
    _exit(0);
    return NULL;
}

static void on_stop_signal(int sig)
{
    (void)sig;
    stopping = 1;
    if (engine_pid > 0)
        kill(engine_pid, SIGTERM);
}

/* Engine process: load chDB and run the query until it ends. Returns the exit code. */
static int run_engine(const char *lib, int cargc, char **cargv, pid_t supervisor)
{
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != supervisor) /* the supervisor died before prctl */
        return 1;
    prctl(PR_SET_NAME, "chlauncher-eng");
    signal(SIGTERM, SIG_DFL);
    signal(SIGHUP, SIG_DFL);
    sigaction(SIGINT, &old_int, NULL);

    void *h = dlopen(lib, RTLD_NOW | RTLD_LOCAL);
    if (!h)
    {
        log_line("dlopen(%s) failed: %s", lib, dlerror());
        return 1;
    }
    query_cmdline_fn query_cmdline = (query_cmdline_fn)dlsym(h, "chdb_query_cmdline");
    result_error_fn result_error = (result_error_fn)dlsym(h, "chdb_result_error");
    result_buffer_fn result_buffer = (result_buffer_fn)dlsym(h, "chdb_result_buffer");
    result_length_fn result_length = (result_length_fn)dlsym(h, "chdb_result_length");
    destroy_result_fn destroy_result = (destroy_result_fn)dlsym(h, "chdb_destroy_query_result");
    if (!query_cmdline || !result_error || !result_buffer || !result_length || !destroy_result)
    {
        log_line("%s lacks the chDB v26 C API (chdb_query_cmdline, chdb_result_*)", lib);
        return 1;
    }

    log_line("engine starting (%s)", lib);
    time_t t0 = time(NULL);
    chdb_result *r = query_cmdline(cargc, cargv);
    if (!r)
    {
        log_line("chdb_query_cmdline returned no result");
        return 1;
    }
    int rc = 0;
    const char *err = result_error(r);
    if (err && *err)
    {
        log_line("query failed: %s", err);
        rc = 1;
    }
    size_t len = result_length(r);
    char *buf = result_buffer(r);
    if (buf && len)
        fwrite(buf, 1, len, stdout), fflush(stdout);
    destroy_result(r);
    /* clickhouse-local prints some errors (e.g. authentication) to stderr itself without setting the
       result error: a keep-alive that ends within the first seconds counts as a failed start. */
    if (rc == 0 && time(NULL) - t0 < STARTUP_SECONDS)
        rc = 1;
    log_line("query ended after %ld s%s", (long)(time(NULL) - t0), rc ? " (failure)" : "");
    return rc;
}

static void usage(void)
{
    fprintf(stderr, "usage: chlauncher [--lib PATH] [--owner-pid N] [--no-restart] [--] <clickhouse-local arguments...>\n");
}

int main(int argc, char **argv)
{
    const char *lib = getenv("CHLAUNCHER_LIB");
    int restart = 1;
    int i = 1;
    for (; i < argc; i++)
    {
        if (strcmp(argv[i], "--lib") == 0 && i + 1 < argc)
            lib = argv[++i];
        else if (strncmp(argv[i], "--lib=", 6) == 0)
            lib = argv[i] + 6;
        else if (strcmp(argv[i], "--owner-pid") == 0 && i + 1 < argc)
            owner_pid = (pid_t)atoi(argv[++i]);
        else if (strncmp(argv[i], "--owner-pid=", 12) == 0)
            owner_pid = (pid_t)atoi(argv[i] + 12);
        else if (strcmp(argv[i], "--no-restart") == 0)
            restart = 0;
        else if (strcmp(argv[i], "--") == 0)
        {
            i++;
            break;
        }
        else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
        {
            usage();
            return 0;
        }
        else
            break;
    }
    if (i >= argc)
    {
        usage();
        return 2;
    }
    if (!lib || !*lib)
        lib = "libchdb.so";

    /* argv for clickhouse-local: argv[0] plus the remaining arguments. */
    int cargc = argc - i + 1;
    char **cargv = calloc((size_t)cargc + 1, sizeof *cargv);
    if (!cargv)
        return 1;
    cargv[0] = "clickhouse";
    for (int k = 1; k < cargc; k++)
        cargv[k] = argv[i + k - 1];

    if (owner_pid < 0 || (owner_pid > 0 && kill(owner_pid, 0) != 0 && errno == ESRCH))
    {
        log_line("owner process %d does not exist", (int)owner_pid);
        return 2;
    }

    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_stop_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    sigaction(SIGINT, NULL, &old_int);
    if (old_int.sa_handler != SIG_IGN) /* background jobs of non-interactive shells ignore SIGINT: keep that */
        sigaction(SIGINT, &sa, NULL);

    if (owner_pid > 0)
    {
        char st;
        if (read_proc_stat(owner_pid, &st, &owner_start) != 0)
            owner_start = 0;
        pthread_t t;
        if (pthread_create(&t, NULL, watchdog, NULL) != 0)
        {
            log_line("cannot start the watchdog thread");
            return 1;
        }
        pthread_detach(t);
        log_line("watching owner process %d", (int)owner_pid);
    }

    pid_t self = getpid();
    time_t restarts[MAX_RESTARTS] = {0};
    int nrestarts = 0;
    for (;;)
    {
        if (stopping)
            return 0;
        time_t started = time(NULL);
        fflush(stdout);
        fflush(stderr);
        pid_t pid = fork();
        if (pid < 0)
        {
            log_line("fork failed: %s", strerror(errno));
            return 1;
        }
        if (pid == 0)
            _exit(run_engine(lib, cargc, cargv, self));
        engine_pid = pid;
        if (stopping) /* a stop signal arrived while forking */
            kill(pid, SIGTERM);

        int status = 0;
        while (waitpid(pid, &status, 0) < 0)
            if (errno != EINTR)
            {
                log_line("waitpid failed: %s", strerror(errno));
                return 1;
            }
        engine_pid = 0;
        if (stopping)
        {
            log_line("engine %d stopped", (int)pid);
            return 0;
        }
        if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
        {
            log_line("engine %d finished", (int)pid);
            return 0;
        }
        if (WIFSIGNALED(status))
            log_line("engine %d died from signal %d", (int)pid, WTERMSIG(status));
        else
            log_line("engine %d exited with code %d", (int)pid, WEXITSTATUS(status));
        /* a crash (signal) is restarted; an error exit during start-up (bad arguments/config) is not */
        if (!restart || (WIFEXITED(status) && time(NULL) - started < STARTUP_SECONDS))
            return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);

        time_t now = time(NULL);
        if (nrestarts == MAX_RESTARTS)
        {
            if (now - restarts[0] < RESTART_WINDOW)
            {
                log_line("%d restarts within %d s; giving up", MAX_RESTARTS, RESTART_WINDOW);
                return 1;
            }
            memmove(restarts, restarts + 1, sizeof restarts[0] * (MAX_RESTARTS - 1));
            nrestarts--;
        }
        restarts[nrestarts++] = now;
        log_line("restarting the engine");
    }
}
